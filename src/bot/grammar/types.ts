// What the grammar produces: a ParsedCommand (zod-validated; hosts are inventory host ids only) or
// a GrammarError with a message precise enough to fix the command from.
import { z } from 'zod';
import { HostId } from '../../config/schema.ts';
import { ApprovalId as ApprovalIdArg, ConversationId as ConversationIdArg, FixId as FixIdArg, UndoId as UndoIdArg } from '../../state/ids.ts';

export const SUBCOMMANDS = ['check', 'fix', 'undo', 'status', 'history', 'hosts', 'help'] as const;
export const Subcommand = z.enum(SUBCOMMANDS);
export type Subcommand = z.infer<typeof Subcommand>;

/**
 * What a button says, as grammar text (a click is a command): answering an approval, showing its
 * plan, showing a check's details, exporting a host's evidence. They can be typed too; help does not list them.
 */
export const REFERENCE_SUBCOMMANDS = ['approve', 'reject', 'plan', 'details', 'evidence'] as const;
export type ReferenceSubcommand = (typeof REFERENCE_SUBCOMMANDS)[number];
export type AnySubcommand = Subcommand | ReferenceSubcommand;

export const USAGE: Record<Subcommand, string> = {
  check: 'check HOST | check group:NAME | check tag:NAME',
  fix: 'fix HOST FIX_ID',
  undo: 'undo HOST UNDO_ID',
  status: 'status HOST',
  history: 'history HOST',
  hosts: 'hosts',
  help: 'help [COMMAND]',
};

// The same id schemas the job data is validated with (state/ids.ts): what parses here fits a job.
export { ApprovalId as ApprovalIdArg, ConversationId as ConversationIdArg, FixId as FixIdArg, UndoId as UndoIdArg } from '../../state/ids.ts';

export const Target = z.object({ by: z.enum(['host', 'group', 'tag']), name: z.string().min(1) }).strict();
export type Target = z.infer<typeof Target>;

export const ParsedCommand = z.discriminatedUnion('kind', [
  // Hosts may be none when a group's or tag's hosts are all outside the user's scope (`outside` of them):
  // the policy decision refuses that, in its own words.
  z.object({ kind: z.literal('check'), target: Target, hosts: z.array(HostId), outside: z.number().int().positive().optional() }).strict(),
  z.object({ kind: z.literal('fix'), host: HostId, fixId: FixIdArg }).strict(),
  z.object({ kind: z.literal('undo'), host: HostId, undoId: UndoIdArg }).strict(),
  z.object({ kind: z.literal('status'), host: HostId }).strict(),
  z.object({ kind: z.literal('history'), host: HostId }).strict(),
  z.object({ kind: z.literal('hosts') }).strict(),
  z.object({ kind: z.literal('help'), topic: Subcommand.nullable() }).strict(),
  z.object({ kind: z.enum(['approve', 'reject', 'plan']), approvalId: ApprovalIdArg }).strict(),
  z.object({ kind: z.literal('details'), requestId: ConversationIdArg }).strict(),
  z.object({ kind: z.literal('evidence'), host: HostId }).strict(),
]);
export type ParsedCommand = z.infer<typeof ParsedCommand>;

export type GrammarErrorCode =
  | 'too-long'
  | 'bad-characters'
  | 'unknown-subcommand'
  | 'missing-argument'
  | 'too-many-arguments'
  | 'bad-option'
  | 'unknown-host'
  | 'unknown-group'
  | 'unknown-tag'
  | 'unknown-target-kind'
  | 'too-many-targets'
  | 'unknown-fix'
  | 'bad-undo-id'
  | 'bad-reference';

export interface GrammarError {
  kind: 'error';
  code: GrammarErrorCode;
  message: string;
}

export const isGrammarError = (r: ParsedCommand | GrammarError): r is GrammarError => r.kind === 'error';

export const grammarError = (code: GrammarErrorCode, message: string): GrammarError => ({ kind: 'error', code, message });
