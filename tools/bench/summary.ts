// Summaries of repeated measurements: every figure the benchmarks report is
// a median with its spread, never a single run. Owns: the statistics.
// Never: measures anything.

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Interquartile range: the spread of the middle half of the runs. */
  iqr: number;
  runs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number {
  return summarize(values).median;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("no measurements to summarize");
  const s = [...values].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    min: s[0],
    max: s[s.length - 1],
    iqr: quantile(s, 0.75) - quantile(s, 0.25),
    runs: s.length,
  };
}

/** Ratios of paired runs (a[i] / b[i]), summarized: the ratio's own spread. */
export function pairedRatios(a: readonly number[], b: readonly number[]): Summary {
  if (a.length !== b.length) throw new Error("paired measurements differ in count");
  return summarize(a.map((x, i) => x / b[i]));
}
