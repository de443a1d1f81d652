/** One-vs-rest ROC curves from scored images (ties between scores form one step). */
export interface RocCurve {
  readonly points: [number, number][];
  readonly auc: number;
}

export function rocCurve(scores: readonly number[], positive: readonly boolean[]): RocCurve | undefined {
  const P = positive.filter(Boolean).length;
  const N = positive.length - P;
  if (P === 0 || N === 0) return undefined;
  const order = scores.map((s, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const points: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let k = 0; k < order.length; ) {
    const score = scores[order[k]!];
    let dtp = 0;
    let dfp = 0;
    while (k < order.length && scores[order[k]!] === score) {
      if (positive[order[k]!]) dtp++;
      else dfp++;
      k++;
    }
    // Trapezoid over the tied block.
    auc += (dfp / N) * ((tp + dtp / 2) / P);
    tp += dtp;
    fp += dfp;
    points.push([fp / N, tp / P]);
  }
  return { points, auc };
}
