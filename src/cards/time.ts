// Times as people read them in chat: UTC, to the minute. Pure (no clock): callers pass ISO strings.

/** "2026-11-02T09:03:12.345Z" -> "2026-11-02 09:03 UTC"; anything unparsable is shown as given. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = new Date(t).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

/** Milliseconds as "117 ms" or "2.4 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
