// A message nonce from the caller's idempotency key. With enforce_nonce, Discord returns the
// message already created with the same nonce (for a few minutes) instead of posting it twice.
// A nonce is at most 25 characters, so longer keys are hashed (same key, same nonce).
import { createHash } from 'node:crypto';
import { LIMITS } from './limits.ts';

export function nonceOf(key: string): string {
  if (key.length > 0 && key.length <= LIMITS.nonce && /^[A-Za-z0-9._:-]+$/.test(key)) return key;
  return createHash('sha256').update(key).digest('base64url').slice(0, LIMITS.nonce);
}
