// Percentiles and rounding for bench output.
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

export function peakRssMb(): number {
  // maxRSS is in kilobytes: the process's high-water mark, which is what a limit is about.
  return round1(process.resourceUsage().maxRSS / 1024);
}

/** BENCH_CPU_PROFILE_DIR=dir: child processes (workers, the lab) write V8 CPU profiles there. */
export function cpuProfileFlags(): string[] {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
