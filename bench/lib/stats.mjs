// Small order statistics for benchmark figures.

/** Nearest-rank percentile (p in 0..100) of a list of numbers; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Median (mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** {median, min, max, spreadPct: (max - min) / median in percent, n}. */
export function summary(values) {
  const med = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return {
    median: med,
    min,
    max,
    spreadPct: med ? ((max - min) / med) * 100 : NaN,
    n: values.length,
  };
}
