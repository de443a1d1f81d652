/**
 * Cycle finding for imports and extends. The walk visits nodes and edges in sorted order and
 * each cycle is rotated to start at its smallest node, so the same cycle is always reported the
 * same way whatever order files were read in.
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flat()])].sort();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const cycles: string[][] = [];

  // Depth-first with an explicit stack: a chain of 20,000 unions must not overflow the call stack.
  const visit = (root: string): void => {
    const frames: { node: string; next: string[]; at: number }[] = [];
    const enter = (node: string): void => {
      state.set(node, 'active');
      stack.push(node);
      frames.push({ node, next: [...(edges.get(node) ?? [])].sort(), at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { node: string; next: string[]; at: number };
      if (frame.at >= frame.next.length) {
        frames.pop();
        stack.pop();
        state.set(frame.node, 'done');
        continue;
      }
      const next = frame.next[frame.at++] as string;
      const s = state.get(next);
      if (s === 'active') {
        const cycle = canonical(stack.slice(stack.indexOf(next)));
        const key = cycle.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) {
        enter(next);
      }
    }
  };
  for (const node of nodes) if (!state.has(node)) visit(node);
  return cycles.sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')));
}

function canonical(cycle: readonly string[]): string[] {
  let start = 0;
  cycle.forEach((node, i) => {
    if (node < (cycle[start] ?? node)) start = i;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}
