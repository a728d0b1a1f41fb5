/**
 * The task graph: checked (unknown dependencies and cycles are refused, naming them), layered,
 * and measured (the critical path: the longest chain by measured or expected duration).
 */
import { SwitchboardError } from '../errors';
import type { Task, TaskSpec } from './task';

const TASK_ID = /^[A-Za-z0-9][\w.-]{0,63}$/;
/** What a task is assumed to take when nothing better is known (only the chain's length then counts). */
export const UNKNOWN_DURATION_MS = 60_000;

/** Turns specs into pending tasks, numbering the ones without an id after `existing` (T1, T2, ...). */
export function tasksFromSpecs(specs: readonly TaskSpec[], existing: readonly Task[] = []): Task[] {
  const taken = new Set(existing.map((t) => t.id));
  let next = existing.length + 1;
  const tasks = specs.map((spec, index) => {
    if (!spec.title?.trim()) throw new SwitchboardError('invalid_argument', `Task ${spec.id ?? index + 1} has no title.`, 'Give every task a title saying what to do.');
    let id = spec.id?.trim();
    if (id === undefined || id === '') {
      while (taken.has(`T${next}`)) next++;
      id = `T${next++}`;
    }
    if (!TASK_ID.test(id)) throw new SwitchboardError('invalid_argument', `"${id}" is not a usable task id.`, 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. T3).');
    if (taken.has(id)) throw new SwitchboardError('invalid_argument', `Two tasks have the id ${id}.`, 'Give each task its own id.');
    taken.add(id);
    return { id, title: spec.title.trim(), description: spec.description, dependsOn: [...new Set(spec.dependsOn ?? [])], status: 'pending' as const, attempts: 0, ...(spec.role ? { role: spec.role } : {}), ...(spec.model ? { model: spec.model } : {}), expectedMs: spec.expectedMs };
  });
  checkGraph([...existing, ...tasks]);
  return tasks;
}

/** Refuses a graph with an unknown dependency (naming it) or a cycle (naming it: `T3 -> T5 -> T3`). */
export function checkGraph(tasks: readonly Task[]): void {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (!byId.has(dep)) throw new SwitchboardError('invalid_argument', `Task ${task.id} depends on ${dep}, which is not a task.`, `Known tasks: ${[...byId.keys()].join(', ') || 'none'}.`, { task: task.id, unknown: dep });
    }
  }
  const cycle = findCycle(tasks);
  if (cycle) throw new SwitchboardError('invalid_argument', `The tasks depend on each other in a cycle: ${cycle.join(' -> ')}.`, 'Remove one of these dependencies.', { cycle });
}

/** A cycle as the path that closes it (`[T3, T5, T3]`), or undefined. Iterative, so deep graphs do not overflow the stack. */
export function findCycle(tasks: readonly Task[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const state = new Map<string, 'open' | 'closed'>();
  for (const root of deps.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'open');
    path.push(root);
    while (stack.length) {
      const top = stack.at(-1)!;
      const children = deps.get(top.id) ?? [];
      if (top.next >= children.length) {
        state.set(top.id, 'closed');
        stack.pop();
        path.pop();
        continue;
      }
      const child = children[top.next++]!;
      if (state.get(child) === 'open') return [...path.slice(path.indexOf(child)), child];
      if (!state.has(child) && deps.has(child)) {
        state.set(child, 'open');
        path.push(child);
        stack.push({ id: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** Each task's layer: 0 for tasks with no dependency, else one more than its deepest dependency. */
export function layers(tasks: readonly Task[]): Map<string, number> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const layer = new Map<string, number>();
  const visit = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    const deps = byId.get(id)?.dependsOn ?? [];
    const value = deps.length ? 1 + Math.max(...deps.map(visit)) : 0;
    layer.set(id, value);
    return value;
  };
  for (const task of tasks) visit(task.id);
  return layer;
}

/** Pending tasks whose dependencies are all done, in the order they were given. */
export function readyTasks(tasks: readonly Task[]): Task[] {
  const status = new Map(tasks.map((t) => [t.id, t.status]));
  return tasks.filter((t) => (t.status === 'pending' || t.status === 'ready') && t.dependsOn.every((d) => status.get(d) === 'done'));
}

/** Every task that depends on `id`, directly or through others. */
export function dependentsOf(tasks: readonly Task[], id: string): Task[] {
  const found = new Set<string>();
  const queue = [id];
  while (queue.length) {
    const current = queue.shift()!;
    for (const task of tasks) {
      if (task.dependsOn.includes(current) && !found.has(task.id)) {
        found.add(task.id);
        queue.push(task.id);
      }
    }
  }
  return tasks.filter((t) => found.has(t.id));
}

/** How long a task took, or is expected to take. */
export function durationOf(task: Task, now = Date.now()): number {
  if (task.status === 'cancelled') return 0;
  if (task.startedAt !== undefined) return (task.endedAt ?? now) - task.startedAt;
  return task.expectedMs ?? UNKNOWN_DURATION_MS;
}

export interface CriticalPath {
  ids: string[];
  durationMs: number;
}

/** The longest chain of dependent tasks by duration: a lower bound on how long the whole graph takes. */
export function criticalPath(tasks: readonly Task[], now = Date.now()): CriticalPath {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const best = new Map<string, CriticalPath>();
  const visit = (id: string): CriticalPath => {
    const known = best.get(id);
    if (known) return known;
    const task = byId.get(id)!;
    let before: CriticalPath = { ids: [], durationMs: 0 };
    for (const dep of task.dependsOn) {
      const chain = visit(dep);
      if (chain.durationMs > before.durationMs) before = chain;
    }
    const path = { ids: [...before.ids, id], durationMs: before.durationMs + durationOf(task, now) };
    best.set(id, path);
    return path;
  };
  let longest: CriticalPath = { ids: [], durationMs: 0 };
  for (const task of tasks) {
    const path = visit(task.id);
    if (path.durationMs > longest.durationMs) longest = path;
  }
  return longest;
}
