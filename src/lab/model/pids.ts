// Stable process ids: a service gets the same PID each time it starts, so stop+start restores a
// snapshot exactly (a real host would hand out a new PID; nothing in rdp-medic depends on that).
import { createHash } from 'node:crypto';

export function pidFor(serviceName: string): number {
  const n = createHash('sha256').update(serviceName.toLowerCase()).digest().readUInt32BE(0);
  return 1000 + (n % 9000) * 4;
}

export const SYSTEM_PID = 4;
