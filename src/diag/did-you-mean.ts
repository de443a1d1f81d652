/** "did you mean" suggestions by edit distance, for unknown names and option values. */

/** Names longer than this get no did-you-mean (and candidates longer than it are never offered). */
export const MAX_SUGGESTED_LENGTH = 64;

/** Edit distance with adjacent transpositions (optimal string alignment): `widht` is 1 from `width`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((rows[i - 1]?.[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (rows[i - 1]?.[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * The closest candidate within a distance that grows with the name's length (a third of it,
 * at least 1, at most 3), ties broken alphabetically so the hint is stable; a case-only
 * difference always qualifies.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  // Edit distance is quadratic: a megabyte-long name would take seconds and gigabytes. No real
  // name is that long, so none gets a suggestion.
  if (name.length > MAX_SUGGESTED_LENGTH) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...new Set(candidates)].sort()) {
    if (candidate === name || candidate.length > MAX_SUGGESTED_LENGTH) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (distance <= limit && distance < name.length && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** `did you mean "X"?`, or a list of the choices when they are few and none is close. */
export function suggestion(name: string, candidates: readonly string[], listUpTo = 8): string | undefined {
  const close = closestName(name, candidates);
  if (close !== undefined) return `did you mean "${close}"?`;
  const unique = [...new Set(candidates)];
  if (unique.length > 0 && unique.length <= listUpTo) return `expected one of: ${unique.join(', ')}`;
  return undefined;
}
