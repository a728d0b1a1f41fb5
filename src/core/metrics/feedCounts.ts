/**
 * What each change of the live feed adds to the lasting counters. The journal counts every change
 * it writes once, in the process that writes it, so that every process's work is counted once.
 */
import type { FeedChange } from '../feed/feedEvent';
import type { CounterDeltas } from './counters';

interface Ended {
  usage?: { inputTokens?: number; outputTokens?: number; usd?: number };
}

/** A run that ended: its tokens and dollars. */
function spend(entity: Ended, deltas: CounterDeltas): CounterDeltas {
  const input = entity.usage?.inputTokens ?? 0;
  const output = entity.usage?.outputTokens ?? 0;
  return { ...deltas, total_input_tokens: input, total_output_tokens: output, total_tokens: input + output, total_cost_usd: entity.usage?.usd ?? 0 };
}

export function feedCounts(change: FeedChange): CounterDeltas | undefined {
  const entity = (change.entity ?? {}) as Ended & { action?: string; status?: string };
  switch (change.type) {
    case 'agent.started':
      return { total_runs: 1 };
    case 'agent.completed':
      return spend(entity, {});
    case 'agent.failed':
    case 'agent.orphaned':
      return spend(entity, { total_runs_failed: 1 });
    case 'agent.killed':
      return spend(entity, { total_kills: 1 });
    case 'steering.intervention':
      return entity.action === 'steer' ? { total_steers: 1 } : entity.action === 'interrupt' ? { total_interrupts: 1 } : undefined;
    case 'team.started':
      return { total_team_runs: 1, total_spawns: 1 };
    case 'team.ended':
      return entity.status === 'shutdown' ? { total_shutdowns: 1 } : undefined;
    case 'task.added':
      return { total_tasks_created: 1 };
    case 'task.completed':
      return { total_tasks_completed: 1 };
    case 'task.failed':
      return { total_tasks_failed: 1 };
    case 'goal.created':
      return { total_goal_runs: 1 };
    case 'gate.passed':
      return { total_gate_runs: 1 };
    case 'gate.failed':
      return { total_gate_runs: 1, total_gate_failures: 1 };
    default:
      return undefined;
  }
}
