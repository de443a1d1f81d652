/**
 * `predictions.csv` of a run folder: one row per scored image, so that any metric can be
 * recomputed outside cvr. Probabilities are written with JavaScript's shortest round-tripping
 * form, so the file is byte-identical between two runs with identical numbers.
 */
import { csvField } from '../data/index.ts';
import type { Prediction } from './metrics.ts';
import { argmax } from './metrics.ts';

export interface PredictionRow extends Prediction {
  /** The image's path as the pipeline names it (relative paths are kept as they are). */
  readonly image: string;
  /** `test`, or `test:<fold>` for k-fold designs, or `validation`. */
  readonly partition: string;
}


export function predictionsCsv(rows: readonly PredictionRow[], classes: readonly string[]): string {
  const header = ['image', 'source', 'partition', 'true', 'predicted', ...classes.map((c) => `p_${c}`)];
  const lines = [header.map((v) => csvField(v)).join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.image,
        row.source,
        row.partition,
        classes[row.trueIndex] ?? String(row.trueIndex),
        classes[argmax(row.probabilities)] ?? '',
        ...classes.map((_, i) => String(row.probabilities[i] ?? '')),
      ]
        .map((v) => csvField(v))
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
