// Where a secret comes from. The value itself never leaves the process that resolves it.
import { z } from 'zod';

export const SecretRef = z.union([
  z.object({ value: z.string().min(1) }).strict(),
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/i, 'an environment variable name') }).strict(),
  z.object({ file: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof SecretRef>;
