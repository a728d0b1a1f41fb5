/**
 * Moving between nodes with the arrow keys: right to a task that depends on this one, left to one
 * it depends on (the nearest by height), up and down to the nearest task above or below in the
 * same column, else anywhere above or below.
 */
export interface Placed {
  id: string;
  x: number;
  y: number;
  dependsOn: readonly string[];
}

export type Direction = 'left' | 'right' | 'up' | 'down';

export function neighbour(from: Placed, direction: Direction, all: ReadonlyMap<string, Placed>, dependents: ReadonlyMap<string, string[]>): string | undefined {
  const nearestBy = (ids: Iterable<string>, score: (p: Placed) => number): string | undefined => {
    let best: Placed | undefined;
    let bestScore = Infinity;
    for (const id of ids) {
      const p = all.get(id);
      if (!p || p.id === from.id) continue;
      const s = score(p);
      if (s < bestScore) [best, bestScore] = [p, s];
    }
    return best?.id;
  };
  if (direction === 'right') return nearestBy(dependents.get(from.id) ?? [], (p) => Math.abs(p.y - from.y));
  if (direction === 'left') return nearestBy(from.dependsOn, (p) => Math.abs(p.y - from.y));
  const sign = direction === 'down' ? 1 : -1;
  const beyond = [...all.values()].filter((p) => sign * (p.y - from.y) > 0);
  const column = beyond.filter((p) => Math.abs(p.x - from.x) < 1);
  return nearestBy((column.length ? column : beyond).map((p) => p.id), (p) => Math.abs(p.y - from.y) + Math.abs(p.x - from.x) * 2);
}
