/**
 * What the DAG panel shows of a team, made from the Teams view's snapshot (no `vscode` import): each
 * task with its worker's runner, its run's spend and why it is blocked, the critical path; and what
 * changed since the last graph sent: the whole graph when tasks or edges came or went (a new
 * layout), else only the nodes that changed.
 */
import { criticalPath } from '../../core/dag/graph';
import { isActiveTeam, type TeamStatus } from '../../core/teams/teamStore';
import { isFinished } from '../../core/runs/types';
import type { DagGraph, DagHeader, DagNode } from '../../shared/protocol/dagProtocol';
import type { TeamSnapshot } from '../teams/teamWatcher';

const UNDONE = new Set(['failed', 'blocked', 'cancelled']);

export function dagGraph(key: string, title: string, snapshot: TeamSnapshot | undefined, note?: string, now = Date.now()): DagGraph {
  if (!snapshot) return { key, title, status: 'unknown', active: false, critical: [], at: now, nodes: [], note: note ?? 'There is no such team (yet).' };
  const { team } = snapshot.view;
  const byId = new Map(team.tasks.map((t) => [t.id, t]));
  const workers = new Map(team.workers.map((w) => [w.name, w]));
  const nodes = team.tasks.map((t): DagNode => {
    const run = t.runId ? snapshot.runs.get(t.runId) : undefined;
    const worker = t.worker ? workers.get(t.worker) : undefined;
    const blockedBy = t.status === 'blocked' ? t.dependsOn.filter((d) => UNDONE.has(byId.get(d)?.status ?? '')) : [];
    return {
      id: t.id,
      title: t.title,
      status: t.status,
      dependsOn: t.dependsOn,
      attempts: t.attempts,
      ...(t.description ? { description: t.description } : {}),
      ...(t.worker ? { worker: t.worker } : {}),
      ...(worker ? { runner: worker.runner, hasBranch: !!worker.branch } : {}),
      ...(t.runId ? { runId: t.runId, runRunning: !!run && !isFinished(run.status) } : {}),
      ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
      ...(t.endedAt !== undefined ? { endedAt: t.endedAt } : {}),
      ...(run ? { tokens: run.usage.inputTokens + run.usage.outputTokens, ...(run.usage.usd !== undefined ? { usd: run.usage.usd, usdEstimated: run.usage.usdSource === 'estimated' } : {}) } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(blockedBy.length ? { blockedBy } : {}),
      ...(t.result ? { result: { summary: t.result.summary, commit: t.result.commit, files: t.result.changedFiles } } : {}),
    };
  });
  return { ...header(key, title, team.name, team.status, criticalPath(team.tasks, now).ids, now), nodes, ...(note ? { note } : {}) };
}

function header(key: string, title: string, team: string, status: TeamStatus, critical: string[], at: number): DagHeader {
  return { key, title, team, status, active: isActiveTeam(status), critical, at };
}

/** Whether two graphs have the same tasks and edges (then the layout stands). */
export function sameShape(a: DagGraph, b: DagGraph): boolean {
  if (a.team !== b.team || a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return n.id === m.id && n.title === m.title && n.dependsOn.join(',') === m.dependsOn.join(',');
  });
}

/** The nodes of `next` that differ from those of `previous` (same shape). */
export function changedNodes(previous: DagGraph, next: DagGraph): DagNode[] {
  return next.nodes.filter((n, i) => JSON.stringify(n) !== JSON.stringify(previous.nodes[i]));
}
