import { describe, expect, it } from 'vitest';
import { bootstrapAuc, calibration, oneClassPrediction, precisionRecall, sourceRates, tInterval } from '../../src/report/evidence.ts';
import type { PredictionRecord } from '../../src/report/run-folder.ts';
import type { ModelMetrics } from '../../src/evaluate/types.ts';

const rec = (trueClass: string, pCvp: number, source = 's'): PredictionRecord => ({ model: 'm', fold: 0, source, trueClass, probabilities: [1 - pCvp, pCvp] });

describe('report evidence', () => {
  it('average precision equals scikit-learn\'s documented example (0.8333)', () => {
    // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333…
    const pr = precisionRecall([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);
    expect(pr?.averagePrecision).toBeCloseTo(0.8333333, 6);
    expect(pr?.points[0]).toEqual([0.5, 1]);
    expect(precisionRecall([0.2, 0.3], [false, false])).toBeUndefined();
  });

  it('ECE is the image-weighted gap between confidence and accuracy per bin', () => {
    // Bin 0.9–1.0: confidences 0.95, 0.95 (both right) → gap 0.05 for 2 images.
    // Bin 0.6–0.7: confidences 0.6, 0.6 (one right) → gap 0.1 for 2 images. ECE = (2·0.05 + 2·0.1)/4.
    const preds = [rec('CVP', 0.95), rec('NOR', 0.05), rec('CVP', 0.6), rec('NOR', 0.6)];
    const cal = calibration(preds, ['NOR', 'CVP'])!;
    expect(cal.ece).toBeCloseTo((2 * 0.05 + 2 * 0.1) / 4, 10);
    expect(cal.bins.map((b) => b.n)).toEqual([2, 2]);
  });

  it('the t-interval of a 5-fold mean uses t(0.975, 4) = 2.776', () => {
    const i = tInterval({ mean: 0.8, std: 0.1 }, 5)!;
    expect(i.high - 0.8).toBeCloseTo((2.776 * 0.1) / Math.sqrt(5), 10);
    expect(tInterval({ mean: 0.8, std: 0 }, 1)).toBeUndefined();
  });

  it('flags a model whose confusion matrices put (almost) every image in one column', () => {
    const fold = (confusion: number[][]) => ({ confusion }) as unknown as ModelMetrics['folds'][number];
    const stuck = { folds: [fold([[50, 0], [49, 1]]), fold([[60, 0], [59, 1]])] } as unknown as ModelMetrics;
    expect(oneClassPrediction('m', stuck, ['NOR', 'CVP'])).toEqual({ model: 'm', className: 'NOR', predicted: 218, images: 220 });
    const fine = { folds: [fold([[40, 10], [10, 40]])] } as unknown as ModelMetrics;
    expect(oneClassPrediction('m', fine, ['NOR', 'CVP'])).toBeUndefined();
  });

  it('sensitivity and specificity per source count each source\'s own images', () => {
    const preds = [rec('CVP', 0.9, 'a'), rec('CVP', 0.2, 'a'), rec('NOR', 0.1, 'a'), rec('NOR', 0.7, 'b'), rec('NOR', 0.3, 'b')];
    const rates = sourceRates(preds, ['NOR', 'CVP']);
    const cvpA = rates.find((r) => r.source === 'a' && r.className === 'CVP')!;
    expect(cvpA).toMatchObject({ positives: 2, negatives: 1, sensitivity: 0.5, specificity: 1 });
    const cvpB = rates.find((r) => r.source === 'b' && r.className === 'CVP')!;
    expect(cvpB.sensitivity).toBeUndefined();
    expect(cvpB.specificity).toBe(0.5);
  });

  it('bootstrap AUC intervals are seeded and contain the AUC', () => {
    const preds = Array.from({ length: 60 }, (_, i) => rec(i % 2 === 0 ? 'CVP' : 'NOR', ((i * 37) % 60) / 60 * 0.5 + (i % 2 === 0 ? 0.3 : 0)));
    const a = bootstrapAuc(preds, 1, 'CVP', 200, 7)!;
    expect(bootstrapAuc(preds, 1, 'CVP', 200, 7)).toEqual(a);
    expect(a.low).toBeLessThanOrEqual(a.auc);
    expect(a.high).toBeGreaterThanOrEqual(a.auc);
    expect(a.high - a.low).toBeGreaterThan(0);
  });
});
