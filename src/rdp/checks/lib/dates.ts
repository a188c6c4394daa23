// Plain-words dates: YYYY-MM-DD (UTC), what an on-call engineer reads at a glance.
export function ymd(d: Date | string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().slice(0, 10);
}


export function minutesAgo(now: Date, iso: string): number {
  return (now.getTime() - Date.parse(iso)) / 60_000;
}
