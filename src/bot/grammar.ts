// One command grammar for every platform:
//   check HOST | check group:NAME | check tag:NAME, fix HOST FIX_ID, undo HOST UNDO_ID,
//   status HOST, history HOST, hosts, help [COMMAND]
// and what buttons say (a click is a command): approve ID, reject ID, plan ID, details ID, evidence HOST.
// Tolerates a leading /rdp or bot mention, extra spaces, any case in subcommands and names, and
// Discord's option style (`check host:work-pc`, `fix host:work-pc fix:enable-rdp`, in any order).
// Returns a zod-validated ParsedCommand whose hosts are inventory ids, or a GrammarError.
import { closestNames } from '../config/load.ts';
import { FIX_IDS } from '../rdp/fixes/catalogue.ts';
import type { Inventory } from './grammar/inventory.ts';
import { normalize } from './grammar/normalize.ts';
import { resolveHost, resolveTarget } from './grammar/resolve.ts';
import { ApprovalIdArg, ConversationIdArg, grammarError, UndoIdArg, isGrammarError, ParsedCommand, REFERENCE_SUBCOMMANDS, SUBCOMMANDS, USAGE, type AnySubcommand, type GrammarError, type Subcommand } from './grammar/types.ts';

export { inventoryOf, type Inventory, type InventoryHost } from './grammar/inventory.ts';
export { MAX_COMMAND_CHARS } from './grammar/normalize.ts';
export { isGrammarError, ParsedCommand, REFERENCE_SUBCOMMANDS, Subcommand, SUBCOMMANDS, USAGE, type GrammarError, type GrammarErrorCode, type Target } from './grammar/types.ts';

export interface GrammarOptions {
  /** Most hosts one command may target (groups and tags). Default: 500. */
  maxTargets?: number;
  /** Fix ids `fix` accepts. Default: the fix catalogue. */
  fixIds?: readonly string[];
  /** The hosts a group or tag may expand to (the user's scope); default: every host. */
  within?: (host: string) => boolean;
}

export const DEFAULT_MAX_TARGETS = 500;

type Slot = 'target' | 'host' | 'fix' | 'undo' | 'topic' | 'ref';

/** Positional order of each subcommand's arguments, and which are required. */
const SLOTS: Record<AnySubcommand, { slots: Slot[]; required: number }> = {
  check: { slots: ['target'], required: 1 },
  fix: { slots: ['host', 'fix'], required: 2 },
  undo: { slots: ['host', 'undo'], required: 2 },
  status: { slots: ['host'], required: 1 },
  history: { slots: ['host'], required: 1 },
  hosts: { slots: [], required: 0 },
  help: { slots: ['topic'], required: 0 },
  approve: { slots: ['ref'], required: 1 },
  reject: { slots: ['ref'], required: 1 },
  plan: { slots: ['ref'], required: 1 },
  details: { slots: ['ref'], required: 1 },
  evidence: { slots: ['host'], required: 1 },
};

const REFERENCE_USAGE: Record<(typeof REFERENCE_SUBCOMMANDS)[number], string> = {
  approve: 'approve APPROVAL_ID',
  reject: 'reject APPROVAL_ID',
  plan: 'plan APPROVAL_ID',
  details: 'details REQUEST_ID',
  evidence: 'evidence HOST',
};

/** Discord option names (`host:work-pc`) to slots. `group:` and `tag:` are targets, not options. */
function optionSlot(sub: AnySubcommand, key: string): Slot | null {
  switch (key) {
    case 'host':
      return sub === 'check' ? 'target' : 'host';
    case 'target':
      return 'target';
    case 'fix':
    case 'fix-id':
    case 'fix_id':
      return 'fix';
    case 'undo':
    case 'undo-id':
    case 'undo_id':
      return 'undo';
    case 'id':
      return sub === 'fix' ? 'fix' : sub === 'undo' ? 'undo' : null;
    case 'command':
    case 'topic':
      return 'topic';
    default:
      return null;
  }
}

const OPTION_KEYS = ['host', 'target', 'fix', 'fix-id', 'fix_id', 'undo', 'undo-id', 'undo_id', 'id', 'command', 'topic'];
const usage = (sub: AnySubcommand): string => `usage: ${sub in USAGE ? USAGE[sub as Subcommand] : REFERENCE_USAGE[sub as keyof typeof REFERENCE_USAGE]}`;

/** Fills the subcommand's slots from options first, then positionals in order. */
function bindArguments(sub: AnySubcommand, args: string[]): Map<Slot, string> | GrammarError {
  const { slots, required } = SLOTS[sub];
  const bound = new Map<Slot, string>();
  const positional: string[] = [];
  for (const arg of args) {
    const m = /^([a-z_-]+):(.*)$/i.exec(arg);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !OPTION_KEYS.includes(key)) {
      positional.push(arg);
      continue;
    }
    const slot = optionSlot(sub, key);
    if (!slot || !slots.includes(slot)) return grammarError('bad-option', `"${key}:" does not go with ${sub}; ${usage(sub)}`);
    if (bound.has(slot)) return grammarError('too-many-arguments', `${key}: is given twice; ${usage(sub)}`);
    if (!m[2]) return grammarError('missing-argument', `"${key}:" has no value; ${usage(sub)}`);
    bound.set(slot, m[2]);
  }
  for (const slot of slots) if (!bound.has(slot) && positional.length) bound.set(slot, positional.shift()!);
  if (positional.length) return grammarError('too-many-arguments', `${sub} does not take "${positional.join(' ')}"; ${usage(sub)}`);
  const missing = slots.slice(0, required).filter((s) => !bound.has(s));
  if (missing.length) {
    const what = missing.map((s) => ({ target: 'a target', host: 'a host', fix: 'a fix id', undo: 'an undo id', topic: 'a command', ref: 'an id' })[s]).join(' and ');
    return grammarError('missing-argument', `${sub} needs ${what}; ${usage(sub)}`);
  }
  return bound;
}

function subcommandOf(word: string, withReferences = false): AnySubcommand | GrammarError {
  const lower = word.toLowerCase();
  const hit = [...SUBCOMMANDS, ...(withReferences ? REFERENCE_SUBCOMMANDS : [])].find((s) => s === lower);
  if (hit) return hit;
  const near = closestNames(lower, [...SUBCOMMANDS], 1);
  return grammarError('unknown-subcommand', `unknown command "${word}"${near.length ? `; did you mean "${near[0]}"?` : '.'} Commands: ${SUBCOMMANDS.join(', ')}`);
}

function fixIdOf(text: string, fixIds: readonly string[]): string | GrammarError {
  const id = text.toLowerCase();
  if (fixIds.includes(id)) return id;
  const near = closestNames(id, [...fixIds]);
  return grammarError('unknown-fix', `unknown fix "${text}"${near.length ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : '.'} Fixes: ${fixIds.join(', ')}`);
}

function undoIdOf(text: string): string | GrammarError {
  const id = text.toLowerCase();
  return UndoIdArg.safeParse(id).success ? id : grammarError('bad-undo-id', `"${text}" is not an undo id (the fix's result names it: "u-" and 8 characters, like u-7k3m9qzx); ${usage('undo')}`);
}

function referenceOf(sub: AnySubcommand, text: string): unknown {
  if (sub === 'details') return ConversationIdArg.safeParse(text).success ? { kind: 'details', requestId: text } : grammarError('bad-reference', `"${text}" is not a request id; ${usage(sub)}`);
  return ApprovalIdArg.safeParse(text).success ? { kind: sub, approvalId: text } : grammarError('bad-reference', `"${text}" is not an approval id; ${usage(sub)}`);
}

function build(sub: AnySubcommand, args: Map<Slot, string>, inventory: Inventory, opts: Required<Omit<GrammarOptions, 'within'>> & Pick<GrammarOptions, 'within'>): unknown {
  const host = (): ReturnType<typeof resolveHost> => resolveHost(inventory, args.get('host')!);
  switch (sub) {
    case 'check': {
      const r = resolveTarget(inventory, args.get('target')!, opts.maxTargets, opts.within);
      return 'kind' in r ? r : { kind: 'check', ...r };
    }
    case 'fix': {
      const h = host();
      if (typeof h !== 'string') return h;
      const fixId = fixIdOf(args.get('fix')!, opts.fixIds);
      return typeof fixId === 'string' ? { kind: 'fix', host: h, fixId } : fixId;
    }
    case 'undo': {
      const h = host();
      if (typeof h !== 'string') return h;
      const undoId = undoIdOf(args.get('undo')!);
      return typeof undoId === 'string' ? { kind: 'undo', host: h, undoId } : undoId;
    }
    case 'status':
    case 'history':
    case 'evidence': {
      const h = host();
      return typeof h === 'string' ? { kind: sub, host: h } : h;
    }
    case 'hosts':
      return { kind: 'hosts' };
    case 'help': {
      const topic = args.get('topic');
      if (topic === undefined) return { kind: 'help', topic: null };
      const t = subcommandOf(topic);
      return typeof t === 'string' ? { kind: 'help', topic: t } : t;
    }
    case 'approve':
    case 'reject':
    case 'plan':
    case 'details':
      return referenceOf(sub, args.get('ref')!);
  }
}

export function parseCommand(text: string, inventory: Inventory, options: GrammarOptions = {}): ParsedCommand | GrammarError {
  const opts = { maxTargets: options.maxTargets ?? DEFAULT_MAX_TARGETS, fixIds: options.fixIds ?? FIX_IDS, within: options.within };
  const words = normalize(text);
  if (!Array.isArray(words)) return words;
  // A bare mention or "/rdp" alone asks for help.
  if (words.length === 0) return { kind: 'help', topic: null };
  const sub = subcommandOf(words[0]!, true);
  if (typeof sub !== 'string') return sub;
  const args = bindArguments(sub, words.slice(1));
  if (!(args instanceof Map)) return args;
  const result = build(sub, args, inventory, opts) as ParsedCommand | GrammarError;
  if (isGrammarError(result)) return result;
  // The edge: what leaves the grammar is exactly the schema (jobs are built from it).
  return ParsedCommand.parse(result);
}
