/** One line about a feed event, for people (the CLI's table, notifications, chat). */
import { formatTokens, formatUsd } from '../render';
import type { FeedEvent } from './feedEvent';
import type { RunEntity, TaskEntity, TeamEntity } from './entities';
import type { GateEntity } from '../gates/gate';
import { gateOutcome } from '../gates/gateText';
import type { BreakerEntity } from '../gates/breakerState';

const counts = (tasks: TeamEntity['tasks']): string =>
  Object.entries(tasks)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ') || 'no tasks';

function runText(run: RunEntity): string {
  const spent = [formatTokens(run.usage), formatUsd(run.usage)].filter(Boolean).join(', ');
  const extra = run.waiting ? ` — waiting for ${run.waiting}` : run.retrying ? ` — ${run.retrying}` : run.lastError && run.status !== 'done' && run.status !== 'running' ? ` — ${run.lastError}` : '';
  return `${run.name} (${run.id}, ${run.runner}) ${run.status}${spent ? `, ${spent}` : ''}${run.links.team ? `, team ${run.links.team}${run.links.task ? ` ${run.links.task}` : ''}` : ''}${extra}`;
}

function gateText(gate: GateEntity): string {
  const lastLine = gate.stderr.trim().split('\n').at(-1) ?? '';
  const why = !gate.passed && lastLine ? ` — ${lastLine.replace(/^switchboard: /, '')}` : '';
  return `gate "${gate.name}"${gate.required ? '' : ' (optional)'} in ${gate.workspace} ${gateOutcome(gate)}${why}`;
}

function breakerText(type: string, b: BreakerEntity): string {
  if (type === 'breaker.reset') return `breaker of gate "${b.gateName}" in ${b.workspace} reset to Closed (was ${b.previous ?? 'open'})`;
  return `breaker of gate "${b.gateName}" in ${b.workspace} opened after ${b.failureCount} failure(s) in a row: it fails at once for ${b.recoveryTimeoutSecs} s`;
}

export function describeFeedEvent(event: FeedEvent): string {
  const e = event.entity as Record<string, unknown>;
  const family = event.type.split('.')[0];
  if (event.type === 'steering.intervention') {
    const run = e.run as RunEntity;
    return `${e.action} ${run.name} (${run.id}) by ${e.source}${e.message ? `: ${String(e.message)}` : ''}`;
  }
  if (family === 'agent') return runText(e as unknown as RunEntity);
  if (family === 'task') {
    const { team, task } = e as unknown as TaskEntity;
    const who = task.worker ? ` on ${task.worker}` : '';
    return `${team} ${task.id} "${task.title}" ${task.status}${who}${task.reason ? ` — ${task.reason}` : ''}`;
  }
  if (family === 'team') {
    const team = e as unknown as TeamEntity;
    return `${team.name} ${team.status} (${counts(team.tasks)})${team.reason ? ` — ${team.reason}` : ''}`;
  }
  if (family === 'pool') return `${e.runId} ${event.type.slice(5)} in pool ${e.pool}${e.position ? ` (${e.position} in line)` : ''}${e.reason ? ` — ${e.reason}` : ''}`;
  if (family === 'goal' && e.status) return `${e.id} ${e.status} (${e.phase}, iteration ${e.iteration}/${e.maxIterations})${e.blockedOn ? ` — ${String(e.blockedOn)}` : e.failure ? ` — ${String(e.failure)}` : ''}`;
  if (family === 'budget' || event.type === 'goal.stagnation' || event.type === 'goal.rollback') return `${e.id}: ${String(e.summary)}`;
  if (family === 'merge') return `${e.team ? `${e.team}: ${e.worker}` : `run ${e.name}`} (${e.branch}) into ${e.base}${e.commit ? ` as ${String(e.commit).slice(0, 12)}` : ''}${e.error ? ` — ${e.error}` : ''}`;
  if (family === 'compare') return `${e.id} ${e.status}: ${String(e.summary)}`;
  if (family === 'gate') return gateText(e as unknown as GateEntity);
  if (family === 'breaker') return breakerText(event.type, e as unknown as BreakerEntity);
  if (family === 'discovery') return `${String(e.goal ?? e.team)} ${e.id} "${e.title}" ${e.status}${e.promotedTask ? ` as task ${e.promotedTask}` : ''}${e.reason ? ` — ${e.reason}` : ''}`;
  return event.key;
}
