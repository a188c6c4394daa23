// Short random ids for conversations, diagnosis runs and jobs (base36, 64 bits of randomness).
import { randomBytes } from 'node:crypto';

const random = (): string => randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');

export const newConversationId = (): string => `r-${random()}`;
export const newRunId = (): string => `d-${random()}`;
