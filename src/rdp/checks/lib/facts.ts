// Fact-or-unknown: a check names the facts it needs; if any is missing (op error, or the whole host
// unreachable) it gets one plain sentence saying what could not be read and why.
import { isFactError } from '../../read-plan.ts';
import type { Fact, FactError, HostFacts } from '../../read-plan.ts';
import type { CheckInput, HostAccessFailure } from '../../types.ts';

export type Pick = readonly [label: string, pick: (f: HostFacts) => Fact<unknown>];
export type Picks = Record<string, Pick>;
export type Got<P extends Picks> = { [K in keyof P]: Exclude<ReturnType<P[K][1]>, FactError> };

export type Need<P extends Picks> = { ok: true; facts: HostFacts; v: Got<P> } | { ok: false; missing: string; evidence: Record<string, unknown> };

export function hostFacts(input: CheckInput): HostFacts | null {
  return 'failure' in input.facts ? null : input.facts;
}

export function accessFailure(input: CheckInput): HostAccessFailure | null {
  return 'failure' in input.facts ? input.facts.failure : null;
}

const short = (s: string, max = 160): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function describeError(e: FactError): string {
  return `${e.error.code}: ${short(e.error.message)}`;
}

/** Reads the named facts, or explains which could not be read. */
export function need<P extends Picks>(input: CheckInput, picks: P): Need<P> {
  const failure = accessFailure(input);
  if (failure) {
    return { ok: false, missing: `the host could not be read over WinRM (${failure.message})`, evidence: { hostAccess: failure.kind } };
  }
  const facts = input.facts as HostFacts;
  const v: Record<string, unknown> = {};
  const missing: string[] = [];
  const errors: Record<string, string> = {};
  for (const [key, [label, pick]] of Object.entries(picks)) {
    const fact = pick(facts);
    if (isFactError(fact)) {
      missing.push(`${label} could not be read (${describeError(fact)})`);
      errors[key] = fact.error.code;
    } else v[key] = fact;
  }
  if (missing.length) return { ok: false, missing: missing.join('; '), evidence: { unreadable: errors } };
  return { ok: true, facts, v: v as Got<P> };
}

/** The value of an optional fact, or undefined when it is an error. */
export function maybe<T>(fact: Fact<T>): T | undefined {
  return isFactError(fact) ? undefined : fact;
}
