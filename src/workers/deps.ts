// What the worker processors are given: the shared Redis state, the queues, the host pool.
import type { Config } from '../config/schema.ts';
import type { Outbox } from '../state/outbox.ts';
import type { Queues } from '../state/queues.ts';
import type { SharedState } from '../state/shared-state.ts';
import type { Logger } from '../log.ts';
import type { HostPool } from './host-pool.ts';

export interface WorkerDeps {
  /** This worker's name in audit entries and lock owners ("worker:<host>:<pid>"). */
  name: string;
  config: Config;
  state: SharedState;
  queues: Queues;
  outbox: Outbox;
  pool: HostPool;
  logger: Logger;
}

