// Small statistics helpers shared by the bench scripts.
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export const ms = (n: number) => `${n.toFixed(2)} ms`;
