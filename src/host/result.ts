// Reading what the host runtime printed: find the markers in whatever else the host wrote,
// decode, validate, and check that every operation of the plan got its result, in order. The
// decoded frames may not pass maxResultBytes: each frame's size is known from its base64 length,
// so a flood is refused before it is decoded and parsed as JSON (which multiplies its memory).
import { tooMuchMessage } from '../winrm/index.ts';
import type { HostSentTooMuch } from '../winrm/index.ts';
import { PlanResult, ReadValue, WritePrevious } from './operations.ts';
import type { OpResult, Plan, ReadOpName, ReadValueOf } from './operations.ts';
import { FRAME_RE } from './bootstrap.ts';
import { RUNTIME_VERSION } from './runtime.ts';
import type { z } from 'zod';

export class RuntimeResultError extends Error {
  override readonly name = 'RuntimeResultError';
  constructor(
    message: string,
    readonly stderrExcerpt?: string,
    /** 'bootstrap': the host said why it could not run the plan (Constrained Language Mode, bad stdin, refused plan). */
    readonly source: 'result' | 'bootstrap' = 'result',
  ) {
    super(stderrExcerpt ? `${message} (stderr: ${stderrExcerpt})` : message);
  }
}

/** The read plan's results are tens of KB; a few MB is generous for any plan. */
export const DEFAULT_MAX_RESULT_BYTES = 4 * 1024 * 1024;

/** The host's framed results, decoded, would pass maxResultBytes; nothing was decoded. */
export class ResultLimitError extends Error implements HostSentTooMuch {
  override readonly name = 'ResultLimitError';
  readonly limit = 'winrm.maxResultBytes';
  readonly what = 'of results for one plan';
  constructor(readonly host: string, readonly limitBytes: number) {
    super('');
    this.message = `${tooMuchMessage(host, this)}.`;
  }
}

export interface ResultContext {
  stderr?: string;
  exitCode?: number;
  /** Who sent the output (for the cap's message) and the cap; defaults: 'the host', DEFAULT_MAX_RESULT_BYTES. */
  host?: string;
  maxResultBytes?: number;
}

/** Bytes that `base64` decodes to, without decoding it. */
const decodedLength = (base64: string): number => Math.floor((base64.length * 3) / 4);

const EXCERPT_MAX = 300;

/** A short, single-line, printable excerpt of stderr; unwraps PowerShell's CLIXML error stream. */
export function stderrExcerpt(stderr: string | undefined): string | undefined {
  if (!stderr) return undefined;
  let text = stderr;
  if (text.includes('#< CLIXML')) {
    const parts = [...text.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) => m[1] ?? '');
    text = parts
      .join('')
      .replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > EXCERPT_MAX ? `${text.slice(0, EXCERPT_MAX)}…` : text;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** The frames the runtime printed, decoded; anything else on stdout (a profile's noise) is ignored. */
export interface Frames {
  begin?: { runtime: string; host: string; startedAt: string; check: boolean; count: number };
  ops: unknown[];
  end?: { elapsedMs: number };
  failure?: string;
}

export function decodeFrames(stdout: string, context: ResultContext = {}): Frames {
  const stderr = stderrExcerpt(context.stderr);
  const frames: Frames = { ops: [] };
  const maxBytes = context.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  let decoded = 0;
  for (const m of stdout.matchAll(FRAME_RE)) {
    const [, kind = '', payload = ''] = m;
    decoded += decodedLength(payload);
    if (decoded > maxBytes) throw new ResultLimitError(context.host ?? 'the host', maxBytes);
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as unknown;
    } catch {
      throw new RuntimeResultError(`the host runtime printed a ${kind} frame that is not valid base64 JSON`, stderr);
    }
    if (kind === 'BEGIN') frames.begin = value as Frames['begin'];
    else if (kind === 'OP') frames.ops.push(value);
    else if (kind === 'END') frames.end = value as Frames['end'];
    else if (kind === 'FAILURE') frames.failure = String(value);
  }
  return frames;
}

export interface ParseOptions extends ResultContext {
  /** The command was cut short (deadline): operations without a result are reported as Timeout, not as a broken runtime. */
  cutShort?: { afterMs: number };
}

/** Parses and checks the runtime's framed output for a plan; throws RuntimeResultError on anything wrong. */
export function parsePlanResult(stdout: string, plan: Plan, context: ParseOptions = {}): PlanResult {
  const stderr = stderrExcerpt(context.stderr);
  const exit = context.exitCode !== undefined && context.exitCode !== 0 ? ` (exit code ${context.exitCode})` : '';
  const frames = decodeFrames(stdout, context);
  if (frames.failure !== undefined) throw new RuntimeResultError(frames.failure, undefined, 'bootstrap');
  if (!frames.begin) throw new RuntimeResultError(`the host runtime returned no result${exit}`, stderr);
  if (frames.begin.runtime !== RUNTIME_VERSION) {
    throw new RuntimeResultError(`the host ran runtime ${String(frames.begin.runtime)}, expected ${RUNTIME_VERSION}`, stderr);
  }
  const results: unknown[] = [...frames.ops];
  if (!frames.end || results.length < plan.ops.length) {
    if (!context.cutShort) {
      throw new RuntimeResultError(`the host runtime stopped after ${results.length} of ${plan.ops.length} results${exit}`, stderr);
    }
    const seconds = Math.round(context.cutShort.afterMs / 1000);
    for (const op of plan.ops.slice(results.length)) {
      results.push({ id: op.id, ok: false, error: { code: 'Timeout', message: `the host did not finish this operation before the ${seconds} s command deadline` } });
    }
  }
  const parsed = PlanResult.safeParse({
    runtime: frames.begin.runtime,
    host: frames.begin.host,
    startedAt: frames.begin.startedAt,
    elapsedMs: frames.end?.elapsedMs ?? context.cutShort?.afterMs ?? 0,
    check: frames.begin.check,
    results,
  });
  if (!parsed.success) {
    throw new RuntimeResultError(`the host runtime result does not match the schema: ${describeIssues(parsed.error)}`, stderr);
  }
  const result = parsed.data;
  if (result.results.length > plan.ops.length) {
    throw new RuntimeResultError(`the host runtime returned ${result.results.length} results for ${plan.ops.length} ops`, stderr);
  }
  plan.ops.forEach((op, i) => {
    const got = result.results[i];
    if (got?.id !== op.id) throw new RuntimeResultError(`result for op ${op.id} missing (found ${got?.id ?? 'nothing'} at position ${i})`, stderr);
  });
  return result;
}

/** The result of the op with this id, or undefined. */
export function findResult(result: PlanResult, id: string): OpResult | undefined {
  return result.results.find((r) => r.id === id);
}

/** An op's value validated against its read schema; throws RuntimeResultError for a failed op or a wrong shape. */
export function typedValue<K extends ReadOpName>(result: OpResult, opName: K): ReadValueOf<K> {
  if (!result.ok) throw new RuntimeResultError(`op ${result.id} failed: ${result.error.code}: ${result.error.message}`);
  // The map's value type is a union of schemas; indexing by K loses the link, hence the cast.
  const parsed = (ReadValue[opName] as unknown as z.ZodType<ReadValueOf<K>>).safeParse(result.value);
  if (!parsed.success) {
    throw new RuntimeResultError(`value of op ${result.id} (${opName}) does not match the schema: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

export type WriteOpName = keyof typeof WritePrevious;
export type WritePreviousOf<K extends WriteOpName> = z.infer<(typeof WritePrevious)[K]>;

/** A write op's undo record validated against its schema. */
export function typedPrevious<K extends WriteOpName>(result: OpResult, opName: K): WritePreviousOf<K> {
  if (!result.ok) throw new RuntimeResultError(`op ${result.id} failed: ${result.error.code}: ${result.error.message}`);
  const parsed = (WritePrevious[opName] as unknown as z.ZodType<WritePreviousOf<K>>).safeParse(result.previous);
  if (!parsed.success) {
    throw new RuntimeResultError(`undo record of op ${result.id} (${opName}) does not match the schema: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}
