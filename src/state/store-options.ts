// What every Redis store is given besides its connection and prefix: where records it cannot read
// are reported (record.ts), and how writes that must survive a failover are confirmed (durable.ts).
import { NO_CONFIRM, type WriteConfirmer } from './durable.ts';
import type { ForeignRecordReporter } from './record.ts';

export interface StoreOptions {
  report?: ForeignRecordReporter;
  confirm?: WriteConfirmer;
}

export const confirmerOf = (opts: StoreOptions): WriteConfirmer => opts.confirm ?? NO_CONFIRM;
