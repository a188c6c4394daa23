// Shared test helpers: a recording logger and a client wired to a replay server.
import { createWinrmClient } from '../../src/winrm/index.ts';
import type { WinrmClient, WinrmClientOptions } from '../../src/winrm/index.ts';
import { WsmanReplayServer } from '../fakes/wsman-replay.ts';
import type { Script } from '../fakes/wsman-replay.ts';

export const PASSWORD = 'S3cret!pass';

export interface LogLine {
  level: 'warn' | 'debug';
  obj: object;
  msg: string;
}

export function recordingLogger(): { lines: LogLine[]; warn(obj: object, msg: string): void; debug(obj: object, msg: string): void } {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
  };
}

export async function withServer(
  script: Script,
  options: Partial<WinrmClientOptions>,
  body: (ctx: { server: WsmanReplayServer; client: WinrmClient }) => Promise<void>,
): Promise<void> {
  const server = await WsmanReplayServer.start(script);
  const client = createWinrmClient({ url: server.url, auth: 'basic', username: 'Administrator', password: PASSWORD, allowUnencrypted: true, ...options });
  try {
    await body({ server, client });
  } finally {
    await client.close();
    await server.close();
  }
}

/** Asserts that nothing secret leaked into a string (error message, log line). */
export function assertNoSecrets(text: string): void {
  if (text.includes(PASSWORD) || text.includes(Buffer.from(`Administrator:${PASSWORD}`).toString('base64')) || /Authorization/i.test(text)) {
    throw new Error(`secret leaked: ${text}`);
  }
}
