import { describe, expect, it } from 'vitest';
import {
  accuracy,
  confusionMatrix,
  foldMetrics,
  macroAverage,
  perClassFromConfusion,
  rocAuc,
  weightedAverage,
  type Prediction,
} from '../../src/evaluate/metrics.ts';
import { bootstrapIntervals, meanStd, quantile, summarizeFolds } from '../../src/evaluate/aggregate.ts';
import { predictionsCsv } from '../../src/evaluate/predictions-csv.ts';
import { evaluateFold } from '../../src/evaluate/evaluate-fold.ts';
import { randomStream } from '../../src/engine/index.ts';

/** One-hot-ish probabilities that make `pred` the argmax. */
function probs(pred: number, k: number): number[] {
  return Array.from({ length: k }, (_, i) => (i === pred ? 0.6 : 0.4 / (k - 1)));
}

describe('metrics against scikit-learn documented examples', () => {
  it('classification_report: y_true=[0,1,2,2,2], y_pred=[0,0,2,2,1]', () => {
    const t = [0, 1, 2, 2, 2];
    const y = [0, 0, 2, 2, 1];
    const per = perClassFromConfusion(confusionMatrix(t, y, 3));
    const r2 = (x: number) => Math.round(x * 100) / 100;
    expect(per.map((c) => [r2(c.precision), r2(c.recall), r2(c.f1), c.support])).toEqual([
      [0.5, 1.0, 0.67, 1],
      [0.0, 0.0, 0.0, 1],
      [1.0, 0.67, 0.8, 3],
    ]);
    expect(accuracy(t, y)).toBeCloseTo(0.6, 12);
    const macro = macroAverage(per);
    expect([r2(macro.precision), r2(macro.recall), r2(macro.f1)]).toEqual([0.5, 0.56, 0.49]);
    const weighted = weightedAverage(per);
    expect([r2(weighted.precision), r2(weighted.recall), r2(weighted.f1)]).toEqual([0.7, 0.6, 0.61]);
  });

  it('precision_recall_fscore_support: cat/dog/pig example (macro 0.22, 0.33, 0.26)', () => {
    const names = ['cat', 'dog', 'pig'];
    const t = ['cat', 'dog', 'pig', 'cat', 'dog', 'pig'].map((s) => names.indexOf(s));
    const y = ['cat', 'pig', 'dog', 'cat', 'cat', 'dog'].map((s) => names.indexOf(s));
    const per = perClassFromConfusion(confusionMatrix(t, y, 3));
    const macro = macroAverage(per);
    expect(macro.precision).toBeCloseTo(0.2222222, 6);
    expect(macro.recall).toBeCloseTo(0.3333333, 6);
    expect(macro.f1).toBeCloseTo(0.2666666, 6);
    const weighted = weightedAverage(per);
    expect(weighted.f1).toBeCloseTo(0.2666666, 6);
  });

  it('confusion_matrix: y_true=[2,0,2,2,0,1], y_pred=[0,0,2,2,0,2]', () => {
    expect(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], 3)).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
  });

  it('roc_auc_score: y_true=[0,0,1,1], scores=[0.1,0.4,0.35,0.8] gives 0.75', () => {
    expect(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });
});

describe('metrics, hand-computed cases', () => {
  it('AUC counts ties as half a correct ordering', () => {
    // Pairs (pos, neg): (0.5 vs 0.5) tie = 0.5, (0.9 vs 0.5) = 1 → 1.5 / 2.
    expect(rocAuc([true, true, false], [0.5, 0.9, 0.5])).toBeCloseTo(0.75, 12);
    expect(rocAuc([true, true], [0.1, 0.2])).toBeUndefined();
    expect(rocAuc([false, true], [0.9, 0.1])).toBe(0);
  });

  it('foldMetrics fills per class, per source, AUC and confusion in task order', () => {
    const classes = ['NOR', 'CVP'];
    const p = (id: string, source: string, t: number, p1: number): Prediction => ({
      id,
      source,
      trueIndex: t,
      probabilities: [1 - p1, p1],
    });
    const preds = [p('a', 's1', 0, 0.2), p('b', 's1', 0, 0.7), p('c', 's2', 1, 0.9), p('d', 's2', 1, 0.6)];
    const m = foldMetrics(3, preds, classes);
    expect(m.fold).toBe(3);
    expect(m.accuracy).toBe(0.75);
    expect(m.confusion).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(m.perClass['CVP']).toEqual({ precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
    expect(m.bySource).toEqual({ s1: { accuracy: 0.5, n: 2 }, s2: { accuracy: 1, n: 2 } });
    // CVP scores: negatives 0.2, 0.7; positives 0.9, 0.6 → pairs won: 0.9>0.2, 0.9>0.7, 0.6>0.2 = 3/4.
    expect(m.auc?.['CVP']).toBeCloseTo(0.75, 12);
    expect(m.auc?.['NOR']).toBeCloseTo(0.75, 12);
  });

  it('mean ± std uses the sample std (n − 1) and quantiles interpolate linearly', () => {
    expect(meanStd([0.8, 0.9, 1.0]).mean).toBeCloseTo(0.9, 12);
    expect(meanStd([0.8, 0.9, 1.0]).std).toBeCloseTo(0.1, 12);
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: 0 });
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
  });

  it('summarizeFolds aggregates accuracy and macro-F1 over folds', () => {
    const classes = ['A', 'B'];
    const f0 = foldMetrics(0, [0, 1, 1, 0].map((t, i) => ({ id: `${i}`, source: 's', trueIndex: t, probabilities: probs(t, 2) })), classes);
    const f1 = foldMetrics(1, [0, 1, 1, 0].map((t, i) => ({ id: `${i}`, source: 's', trueIndex: t, probabilities: probs(i === 0 ? 1 : t, 2) })), classes);
    const s = summarizeFolds([f1, f0]);
    expect(s.folds.map((f) => f.fold)).toEqual([0, 1]);
    expect(s.summary.accuracy.mean).toBeCloseTo(0.875, 12);
    expect(s.summary.accuracy.std).toBeCloseTo(Math.SQRT1_2 * 0.25, 12);
  });

  it('bootstrap intervals are seeded, bracket the point estimate, and narrow with more data', () => {
    const make = (n: number) =>
      Array.from({ length: n }, (_, i): Prediction => ({
        id: `${i}`,
        source: 's',
        trueIndex: i % 2,
        probabilities: probs(i % 5 === 0 ? 1 - (i % 2) : i % 2, 2),
      }));
    const small = make(50);
    const a = bootstrapIntervals(small, 2, 500, randomStream(7, 'metrics', 'bootstrap'));
    const b = bootstrapIntervals(small, 2, 500, randomStream(7, 'metrics', 'bootstrap'));
    expect(a).toEqual(b);
    const acc = a['accuracy'];
    expect(acc).toBeDefined();
    expect(acc!.low).toBeLessThan(0.8);
    expect(acc!.high).toBeGreaterThan(0.8);
    const big = bootstrapIntervals(make(1000), 2, 500, randomStream(7, 'metrics', 'bootstrap'));
    expect(big['accuracy']!.high - big['accuracy']!.low).toBeLessThan(acc!.high - acc!.low);
  });
});

describe('predictions.csv', () => {
  it('writes one probability column per class and quotes awkward paths', () => {
    const csv = predictionsCsv(
      [
        { id: 'x', image: 'data/a,b.png', source: 'cxri', partition: 'test', trueIndex: 1, probabilities: [0.25, 0.75] },
        { id: 'y', image: 'data/c.png', source: 'cidc', partition: 'test', trueIndex: 0, probabilities: [0.5, 0.5] },
      ],
      ['NOR', 'CVP'],
    );
    expect(csv).toBe(
      'image,source,partition,true,predicted,p_NOR,p_CVP\n"data/a,b.png",cxri,test,CVP,CVP,0.25,0.75\ndata/c.png,cidc,test,NOR,NOR,0.5,0.5\n',
    );
  });
});

describe('evaluateFold', () => {
  const classes = ['NOR', 'CVP'];
  const predictions: Prediction[] = Array.from({ length: 40 }, (_, i) => ({
    id: `${i}`,
    source: i < 20 ? 'a' : 'b',
    trueIndex: i % 2,
    probabilities: probs(i % 7 === 0 ? 1 - (i % 2) : i % 2, 2),
  }));
  const evaluate = { metrics: ['accuracy', 'auc'], confusion: true, bySource: true, bootstrap: 200 };

  it('adds bootstrap intervals for holdout designs only', () => {
    const holdout = evaluateFold({ fold: 0, predictions, classes, evaluate, holdout: true, random: randomStream(1, 'm', 'bootstrap') });
    const kfold = evaluateFold({ fold: 0, predictions, classes, evaluate, holdout: false, random: randomStream(1, 'm', 'bootstrap') });
    expect(Object.keys(holdout.bootstrap ?? {})).toEqual(['accuracy', 'macroF1']);
    expect(kfold.bootstrap).toBeUndefined();
    expect({ ...holdout, bootstrap: undefined }).toEqual({ ...kfold, bootstrap: undefined });
  });

  it('leaves out AUC and per-source accuracy when the evaluate block does not ask for them', () => {
    const all = evaluateFold({ fold: 0, predictions, classes, evaluate, holdout: false, random: randomStream(1, 'm', 'bootstrap') });
    const lean = evaluateFold({ fold: 0, predictions, classes, evaluate: { ...evaluate, metrics: ['accuracy'], bySource: false }, holdout: false, random: randomStream(1, 'm', 'bootstrap') });
    expect(Object.keys(all.auc ?? {})).toEqual(['NOR', 'CVP']);
    expect(Object.keys(all.bySource)).toEqual(['a', 'b']);
    expect(lean.auc).toBeUndefined();
    expect(lean.bySource).toEqual({});
    expect(lean.accuracy).toBe(all.accuracy);
  });

});
