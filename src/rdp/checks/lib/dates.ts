// Plain-words dates: YYYY-MM-DD (UTC), what an on-call engineer reads at a glance.
export function ymd(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().slice(0, 10);
}


export function minutesAgo(now: Date, iso: string): number {
  return (now.getTime() - Date.parse(iso)) / 60_000;
}

/** "66 days ago", "today", "in 3 days": whole days between `now` and the date, for proofs. */
export function daysFrom(now: Date, iso: string): string {
  const days = Math.floor(Math.abs(now.getTime() - Date.parse(iso)) / 86_400_000);
  if (days === 0) return 'today';
  const n = `${days} day${days === 1 ? '' : 's'}`;
  return Date.parse(iso) <= now.getTime() ? `${n} ago` : `in ${n}`;
}
