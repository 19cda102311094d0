/** Latency statistics over samples in milliseconds. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Linear interpolation between closest ranks (the same as numpy's default). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (rank - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.length ? sum / sorted.length : Number.NaN),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Runs `fn` and returns how long it took, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Per-operation round trips of many calls: totals, mean per call, and the worst call. */
export interface RoundTripSummary {
  calls: number;
  totals: Record<string, number>;
  perCall: Record<string, number>;
  meanTotalPerCall: number;
  maxTotalPerCall: number;
  /** The same two figures without the labels in `excluded` (e.g. catalog refreshes). */
  excluded: string[];
  meanPerCallExcluding: number;
  maxPerCallExcluding: number;
}

export const CATALOG_REFRESH = "Query(catalog)";

export function summarizeRoundTrips(
  perCall: readonly Record<string, number>[],
  excluded: string[] = [CATALOG_REFRESH],
): RoundTripSummary {
  const totals: Record<string, number> = {};
  let max = 0;
  let maxEx = 0;
  let all = 0;
  let allEx = 0;
  for (const call of perCall) {
    let n = 0;
    let nEx = 0;
    for (const [op, count] of Object.entries(call)) {
      totals[op] = (totals[op] ?? 0) + count;
      n += count;
      if (!excluded.includes(op)) nEx += count;
    }
    all += n;
    allEx += nEx;
    max = Math.max(max, n);
    maxEx = Math.max(maxEx, nEx);
  }
  const calls = perCall.length;
  const mean = (x: number) => round(calls ? x / calls : 0);
  return {
    calls,
    totals,
    perCall: Object.fromEntries(Object.entries(totals).map(([op, n]) => [op, mean(n)])),
    meanTotalPerCall: mean(all),
    maxTotalPerCall: max,
    excluded,
    meanPerCallExcluding: mean(allEx),
    maxPerCallExcluding: maxEx,
  };
}

/** Round trips of many calls, by the app's RoundTripCounter and by query purpose. */
export interface RoundTrips {
  /** As the app's RoundTripCounter counts them: per operation name. */
  byOperation: RoundTripSummary;
  /** Queries split by what they read (see LabelledRoundTrips). */
  byPurpose: RoundTripSummary;
}

export interface CallTrips {
  byOperation: Record<string, number>;
  byPurpose: Record<string, number>;
}

export function summarizeTrips(calls: readonly CallTrips[]): RoundTrips {
  return {
    byOperation: summarizeRoundTrips(calls.map((c) => c.byOperation)),
    byPurpose: summarizeRoundTrips(calls.map((c) => c.byPurpose)),
  };
}
