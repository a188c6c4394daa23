// `rdp-medic slack manifest [--request-url URL] [--json]`: prints the Slack app manifest to paste
// into "Create New App → From an app manifest" (docs/slack.md).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { slackManifest } from '../adapters/slack/manifest.ts';

export type Writer = (s: string) => void;

export interface SlackCommandIo {
  out: Writer;
  err: Writer;
  exit: (code: number) => void;
}

const processIo: SlackCommandIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  exit: (code) => {
    process.exitCode = code;
  },
};

export interface ManifestCommandOptions {
  requestUrl?: string;
  name?: string;
  json?: boolean;
}

/** Exit codes: 0 printed, 2 bad input. */
export function runManifestCommand(opts: ManifestCommandOptions, io: SlackCommandIo): number {
  if (opts.requestUrl !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(opts.requestUrl);
    } catch {
      url = null;
    }
    // Slack only posts to public https URLs.
    if (!url || url.protocol !== 'https:') {
      io.err(`rdp-medic slack manifest: --request-url "${opts.requestUrl}" is not an https:// URL (Slack needs e.g. https://bot.example.com/slack/events)\n`);
      return 2;
    }
  }
  if (opts.name !== undefined && !/^[\w .-]{1,35}$/.test(opts.name)) {
    io.err('rdp-medic slack manifest: --name must be 1-35 letters, digits, spaces, ".", "_" or "-"\n');
    return 2;
  }
  const manifest = slackManifest({ requestUrl: opts.requestUrl, name: opts.name });
  io.out(opts.json ? `${JSON.stringify(manifest, null, 2)}\n` : stringify(manifest));
  return 0;
}

export function register(program: Command, io: SlackCommandIo = processIo): void {
  const slack = program.command('slack').description('Slack app set-up helpers');
  slack
    .command('manifest')
    .description('Print the Slack app manifest (Socket Mode, or HTTP mode with --request-url)')
    .option('--request-url <url>', 'HTTP mode: the public https URL of /slack/events (turns Socket Mode off)')
    .option('--name <name>', 'app and bot display name (default rdp-medic)')
    .option('--json', 'print JSON instead of YAML')
    .action((opts: ManifestCommandOptions) => {
      io.exit(runManifestCommand(opts, io));
    });
}
