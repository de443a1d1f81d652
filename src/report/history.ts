/** Training history per model and fold, from epoch events. */
import type { EpochRecord } from './run-folder.ts';

export interface FoldHistory {
  readonly fold: number;
  /** Epoch numbers, and per logged metric its value at each epoch (NaN where not logged). */
  readonly epochs: number[];
  readonly series: Record<string, number[]>;
}

/** A resumed run logs an epoch twice; the later record wins. */
export function historyOf(records: readonly EpochRecord[], model: string): FoldHistory[] {
  const byFold = new Map<number, Map<number, Readonly<Record<string, number>>>>();
  for (const r of records) {
    if (r.model !== model) continue;
    const fold = byFold.get(r.fold) ?? new Map<number, Readonly<Record<string, number>>>();
    fold.set(r.epoch, r.logs);
    byFold.set(r.fold, fold);
  }
  return [...byFold.entries()]
    .sort(([a], [b]) => a - b)
    .map(([fold, epochs]) => {
      const sorted = [...epochs.entries()].sort(([a], [b]) => a - b);
      const keys = [...new Set(sorted.flatMap(([, logs]) => Object.keys(logs)))];
      const series: Record<string, number[]> = {};
      for (const key of keys) series[key] = sorted.map(([, logs]) => logs[key] ?? Number.NaN);
      return { fold, epochs: sorted.map(([e]) => e), series };
    });
}

/** The learning rate under either name train may log it by. */
export function learningRate(h: FoldHistory): number[] | undefined {
  return h.series['learning_rate'] ?? h.series['lr'];
}
