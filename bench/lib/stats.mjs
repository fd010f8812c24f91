// Summaries of repeated measurements: median (the figure reported), min and max.

/** @returns {{ median: number, min: number, max: number, n: number }} */
export function summary(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], n };
}

/** `12.3 (11.9–13.0)`: median, then min–max. */
export function formatSummary(s, digits = 1) {
  if (s.n === 0) return "n/a";
  const f = (v) => v.toFixed(digits);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** `1.07×` or `n/a`. */
export function formatRatio(value, base) {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return "n/a";
  return `${(value / base).toFixed(2)}×`;
}
