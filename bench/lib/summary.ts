// Median (the lower of the two middle values for an even count) and range of a bench's rounds.
export const lowerMedian = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

export function summary(xs: readonly number[]): { median: number; min: number; max: number } {
  return { median: lowerMedian(xs), min: Math.min(...xs), max: Math.max(...xs) };
}
