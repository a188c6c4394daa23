// xs:duration ("PT20S", "PT60.000S", "P0DT0H1M") to milliseconds, for w:OperationTimeout.
// Years and months are taken as 365 and 30 days: nobody sends them, but they must not crash us.
const DURATION = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds, or undefined if the text is not a valid non-negative xs:duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || m[1] === '-') return undefined;
  const [, , y, mo, d, h, mi, s] = m;
  // "P" or "PT" alone are not valid durations.
  if ([y, mo, d, h, mi, s].every((v) => v === undefined)) return undefined;
  if (text.includes('T') && [h, mi, s].every((v) => v === undefined)) return undefined;
  const n = (v: string | undefined): number => (v === undefined ? 0 : Number(v));
  const seconds = n(y) * 365 * 86400 + n(mo) * 30 * 86400 + n(d) * 86400 + n(h) * 3600 + n(mi) * 60 + n(s);
  return Math.round(seconds * 1000);
}
