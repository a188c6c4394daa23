// Reading what the host runtime printed: find the markers in whatever else the host wrote,
// decode, validate, and check that every operation of the plan got its result, in order.
import { PlanResult, ReadValue, WritePrevious } from './operations.ts';
import type { OpError, OpResult, Plan, ReadOpName, ReadValueOf } from './operations.ts';
import { RESULT_BEGIN, RESULT_END } from './bootstrap.ts';
import { RUNTIME_VERSION } from './runtime.ts';
import type { z } from 'zod';

export class RuntimeResultError extends Error {
  override readonly name = 'RuntimeResultError';
  constructor(
    message: string,
    readonly stderrExcerpt?: string,
  ) {
    super(stderrExcerpt ? `${message} (stderr: ${stderrExcerpt})` : message);
  }
}

export interface ResultContext {
  stderr?: string;
  exitCode?: number;
}

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

/** The raw decoded JSON between the markers (unvalidated): the selftest also reads per-op timings from it. */
export function decodeResultJson(stdout: string, context: ResultContext = {}): unknown {
  const stderr = stderrExcerpt(context.stderr);
  const exit = context.exitCode !== undefined && context.exitCode !== 0 ? ` (exit code ${context.exitCode})` : '';
  const beginMarker = RESULT_BEGIN.trim();
  const endMarker = RESULT_END.trim();
  // The last begin marker: noise before it cannot shift the payload.
  const begin = stdout.lastIndexOf(beginMarker);
  const end = begin < 0 ? -1 : stdout.indexOf(endMarker, begin + beginMarker.length);
  if (begin < 0 || end < 0) {
    throw new RuntimeResultError(`the host runtime returned no result markers${exit}`, stderr);
  }
  const payload = stdout.slice(begin + beginMarker.length, end).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload) || payload.length % 4 !== 0) {
    throw new RuntimeResultError('the host runtime result is not valid base64', stderr);
  }
  const json = Buffer.from(payload, 'base64').toString('utf8');
  try {
    return JSON.parse(json) as unknown;
  } catch (err) {
    const position = /position (\d+)/.exec(String(err))?.[1];
    throw new RuntimeResultError(
      `the host runtime result is not valid JSON${position !== undefined ? ` at position ${position}` : ''}`,
      stderr,
    );
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Parses and checks the runtime's output for a plan; throws RuntimeResultError on anything wrong. */
export function parsePlanResult(stdout: string, plan: Plan, context: ResultContext = {}): PlanResult {
  const stderr = stderrExcerpt(context.stderr);
  const raw = decodeResultJson(stdout, context);
  const parsed = PlanResult.safeParse(raw);
  if (!parsed.success) {
    throw new RuntimeResultError(`the host runtime result does not match the schema: ${describeIssues(parsed.error)}`, stderr);
  }
  const result = parsed.data;
  if (result.runtime !== RUNTIME_VERSION) {
    throw new RuntimeResultError(`the host ran runtime ${result.runtime}, expected ${RUNTIME_VERSION}`, stderr);
  }
  plan.ops.forEach((op, i) => {
    const got = result.results[i];
    if (!got) throw new RuntimeResultError(`result for op ${op.id} missing`, stderr);
    if (got.id !== op.id) {
      throw new RuntimeResultError(`result for op ${op.id} missing (found ${got.id} at position ${i})`, stderr);
    }
  });
  if (result.results.length > plan.ops.length) {
    throw new RuntimeResultError(`the host runtime returned ${result.results.length} results for ${plan.ops.length} ops`, stderr);
  }
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

/** The error of a failed op, or undefined. */
export function opError(result: OpResult): OpError | undefined {
  return result.ok ? undefined : result.error;
}
