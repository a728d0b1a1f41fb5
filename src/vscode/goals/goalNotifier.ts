/**
 * Notifications about goals, from the live feed (FeedNotifier), so that goals run by other
 * processes count as well as this window's: a goal ready or not ready after its last iteration
 * (Show Proof), a budget warning, a budget spent (Extend…), a goal blocked on a person (Show Output
 * of the run that waits) or on a gate whose breaker is open (Reset Gate), a goal found going in
 * circles (Diagnose, Recover…). Each is told once: the feed tells each change once, a goal's status
 * is told only when it moves to it, and its stagnation once per kind until it is rolled back.
 */
import type { FeedEvent } from '../../core/feed/feedEvent';
import type { GoalStatus } from '../../core/goals/goalRecord';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import { FeedNotifier, goalObjective } from '../feedNotifier';
import type { ExtensionSettings } from '../settings';

/** A goal as `goal.*` events carry it (goalEntity), and a budget event's entity. */
interface GoalEntity {
  id: string;
  goal?: string;
  status?: GoalStatus;
  iteration?: number;
  maxIterations?: number;
  blockedOn?: string;
  failure?: string;
  summary?: string;
}

/** The gate a goal blocked on an open breaker names (`the circuit breaker of gate "npm test" is open …`). */
export const blockingGate = (blockedOn: string | undefined): string | undefined => /\bgate "([^"]+)"/.exec(blockedOn ?? '')?.[1];

/** `RepeatedFailure after iteration 3 (confidence 0.9): …`: the kind a `goal.stagnation` summary starts with. */
export const stagnationKind = (summary: string | undefined): string => /^(\w+) after iteration/.exec(summary ?? '')?.[1] ?? 'stagnation';

export class GoalNotifier extends FeedNotifier {
  /** The last status each goal was told in (a status is told once when a goal moves to it). */
  private readonly statuses = new Map<string, GoalStatus>();
  /** `<goal> <kind>` of each stagnation told (again only after a rollback). */
  private readonly stagnant = new Set<string>();

  constructor(slot: SwitchboardSlot, private readonly settings: () => ExtensionSettings) {
    super(slot);
  }

  protected override forget(): void {
    this.statuses.clear();
    this.stagnant.clear();
  }

  protected heard(sb: Switchboard, event: FeedEvent): void {
    if (!event.key.startsWith('goal:')) return;
    const goal = (event as FeedEvent<GoalEntity>).entity;
    if (!goal?.id) return;
    const name = `"${goal.goal ?? goalObjective(sb, goal.id)}"`;
    if (event.type === 'goal.rollback') {
      for (const told of this.stagnant) if (told.startsWith(`${goal.id} `)) this.stagnant.delete(told);
      return;
    }
    if (event.type === 'goal.stagnation') {
      const told = `${goal.id} ${stagnationKind(goal.summary)}`;
      if (this.stagnant.has(told)) return;
      this.stagnant.add(told);
      return this.show('warning', `Goal ${name} is going in circles: ${goal.summary ?? 'no progress'}.`, { Diagnose: ['switchboard.diagnoseGoal', goal.id], 'Recover…': ['switchboard.recoverGoal', goal.id] });
    }
    if (event.type === 'budget.warning') return this.show('warning', `Goal ${name} has spent most of its budget: ${goal.summary ?? ''}.`, { 'Extend…': ['switchboard.extendGoalBudget', goal.id] });
    if (event.type === 'budget.exhausted') return this.show('warning', `Goal ${name} stopped: ${goal.summary ?? 'its budget is spent'}.`, { 'Extend…': ['switchboard.extendGoalBudget', goal.id] });
    if (event.type !== 'goal.updated' && event.type !== 'goal.ended') return;
    if (!goal.status || this.statuses.get(goal.id) === goal.status) return;
    this.statuses.set(goal.id, goal.status);
    const proof = { 'Show Proof': ['switchboard.showGoalProof', goal.id] as [string, unknown] };
    switch (goal.status) {
      case 'ready':
        return this.show('info', `Goal ${name} is ready: its gates passed after iteration ${goal.iteration ?? '?'}.`, proof);
      case 'not_ready':
        if (!this.settings().notifyOnFailure) return;
        return this.show('warning', `Goal ${name} is not ready after its last iteration (${goal.iteration ?? '?'} of ${goal.maxIterations ?? '?'}): ${goal.failure ?? 'its gates did not pass'}.`, proof);
      case 'failed_infra':
        if (!this.settings().notifyOnFailure) return;
        return this.show('error', `Goal ${name} failed: ${goal.failure ?? 'no reason given'}.`, proof);
      case 'blocked_on_human': {
        if (!this.settings().notifyOnWaiting) return;
        const run = sb.runs.list({ goal: goal.id }).find((r) => r.status === 'running' && r.waiting);
        return this.show('warning', `Goal ${name} waits for a person: ${goal.blockedOn ?? 'an agent asks something'}.`, run ? { 'Show Output': ['switchboard.showAgentOutput', run] } : {});
      }
      case 'blocked_on_external': {
        const gate = blockingGate(goal.blockedOn);
        // The CLI's way out (`reset it: switchboard gates reset …`) is the button here.
        const why = (goal.blockedOn ?? 'something outside it failed').replace(/\s*\(reset it:.*\)$/, '');
        return this.show('warning', `Goal ${name} is blocked: ${why}.`, gate ? { 'Reset Gate': ['switchboard.resetGate', { goal: goal.id, gate }] } : {});
      }
      default:
    }
  }
}
