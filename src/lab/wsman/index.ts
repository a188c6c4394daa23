// The lab's WS-Management server: one per simulated host (see server.ts for the API).
export { startWsmanServer } from './server.ts';
export type { WsmanServer, WsmanServerOptions, WsmanLogger } from './server.ts';
export { planCommand, joinCommandLine, CMD_MAX_LINE } from './cmd.ts';
export type { CmdPlan } from './cmd.ts';
