/** "did you mean" suggestions by edit distance, for unknown names and option values. */

/** Levenshtein distance (insert, delete, substitute; case differences count). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest candidate within a distance that grows with the name's length (a third of it,
 * at least 1, at most 3), ties broken alphabetically so the hint is stable; a case-only
 * difference always qualifies.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...new Set(candidates)].sort()) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
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
