/**
 * The summary of `gradcam_in_lungs` (lung-share.ts measures the shares): the mean share of
 * GradCAM heat inside the lung field, overall and per source and class, each with a 95 %
 * percentile-bootstrap interval of the mean. Plain numbers, no tfjs: metrics and reports load it.
 */
import type { RandomStream } from '../../engine/light.ts';
import { quantile } from '../aggregate.ts';

export interface ShareRow {
  readonly source: string;
  readonly taskClass: string;
  readonly share: number;
}

export interface ShareInterval {
  readonly share: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

export interface LungShareSummary extends ShareInterval {
  readonly areaShare: number;
  /** Keyed `<source>/<class>`. */
  readonly groups: Readonly<Record<string, ShareInterval>>;
}

function interval(values: readonly number[], resamples: number, random: RandomStream): ShareInterval {
  const n = values.length;
  if (n === 0) return { share: Number.NaN, low: Number.NaN, high: Number.NaN, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random.next() * n)]!;
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return { share: mean, low: quantile(means, 0.025), high: quantile(means, 0.975), n };
}

/** The mean share over all images and per source and class, each with a 95 % bootstrap interval. */
export function summarizeLungShares(rows: readonly ShareRow[], areaShare: number, resamples: number, random: RandomStream): LungShareSummary {
  const overall = interval(rows.map((r) => r.share), resamples, random);
  const keys = [...new Set(rows.map((r) => `${r.source}/${r.taskClass}`))].sort();
  const groups = Object.fromEntries(keys.map((k) => [k, interval(rows.filter((r) => `${r.source}/${r.taskClass}` === k).map((r) => r.share), resamples, random)]));
  return { ...overall, areaShare, groups };
}
