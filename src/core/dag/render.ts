/**
 * The task graph as text, in the spirit of OmoiOS's `dag show`: tasks by layer (a task sits one
 * layer after its deepest dependency, so a layer's tasks can run side by side), each with its status,
 * what it waits for and who works it, then the critical path. Used by the CLI, MCP and the editor.
 */
import { formatDuration } from '../render';
import { criticalPath, layers } from './graph';
import type { Task, TaskStatus } from './task';

const GLYPHS: Record<TaskStatus, string> = { pending: '○', ready: '◔', running: '●', done: '✓', failed: '✗', blocked: '⊘', cancelled: '–' };
const TITLE_WIDTH = 40;

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

export function renderDag(tasks: readonly Task[], now = Date.now()): string {
  if (tasks.length === 0) return '(no tasks)';
  const layerOf = layers(tasks);
  const critical = criticalPath(tasks, now);
  const onPath = new Set(critical.ids);
  const idWidth = Math.max(...tasks.map((t) => t.id.length));
  const depth = Math.max(...layerOf.values());
  const lines: string[] = [];
  for (let layer = 0; layer <= depth; layer++) {
    const here = tasks.filter((t) => layerOf.get(t.id) === layer);
    here.forEach((task, index) => {
      const label = index === 0 ? `layer ${layer}`.padEnd(9) : ' '.repeat(9);
      const after = task.dependsOn.length ? `after ${task.dependsOn.join(', ')}` : '';
      const who = task.worker ? `[${task.worker}]` : '';
      const mark = onPath.has(task.id) ? '*' : ' ';
      lines.push(`${label}${mark}${GLYPHS[task.status]} ${task.id.padEnd(idWidth)}  ${clip(task.title, TITLE_WIDTH)}  ${[after, who].filter(Boolean).join('  ')}`.trimEnd());
    });
  }
  lines.push('', `critical path (*): ${critical.ids.join(' → ')}  (${formatDuration(critical.durationMs)})`);
  const counts = new Map<TaskStatus, number>();
  for (const t of tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  lines.push(`tasks: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}   ${Object.entries(GLYPHS).map(([s, g]) => `${g} ${s}`).join('  ')}`);
  return lines.join('\n');
}
