/**
 * A team's planning step: its planner worker is asked for a plan of the team's task (at most
 * PLAN_ATTEMPTS runs, each told why the plan before was rejected) until one leaves a usable plan,
 * whose tasks the scheduler takes; with none, the team fails and says why.
 */
import * as fs from 'node:fs';
import type { TaskSpec } from '../dag/task';
import { errorMessage } from '../errors';
import type { RunRegistry } from '../registry/registry';
import type { RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { PLAN_ATTEMPTS, plannerPrompt, readPlan } from './planner';
import type { Role } from './roles';
import type { TeamRecord, TeamStatus, TeamWorker } from './teamStore';

/** What the planning step works with: the team's record, runs and roles, and how it hands on the plan. */
export interface PlanningTeam {
  readonly record: TeamRecord;
  readonly registry: RunRegistry;
  readonly roles: Record<string, Role>;
  /** Starts the planner worker's run (a shutdown waits for the start under way). */
  launch(worker: TeamWorker, prompt: string): Promise<RunRecord>;
  /** The team is being shut down. */
  stopping(): boolean;
  /** Hands the plan's tasks to the scheduler. */
  add(specs: TaskSpec[]): void;
  changed(): void;
  finish(status: TeamStatus): void;
}

/** Plans the team's task into tasks with its planner worker; the team goes on running them, or fails. */
export async function planTeam(team: PlanningTeam): Promise<void> {
  const { record, registry } = team;
  const planner = record.workers.find((w) => w.role === 'planner')!;
  const roles = [...new Set(record.workers.filter((w) => w.role !== 'planner').map((w) => w.role))];
  const planFile = new StateMap(registry.stateDir).team(record.name).plan;
  const plan: NonNullable<TeamRecord['plan']> = (record.plan = { runIds: [], rejected: [] });
  for (let attempt = 1; attempt <= PLAN_ATTEMPTS && record.status === 'planning'; attempt++) {
    // A plan file from an earlier run must not be taken for this one's.
    fs.rmSync(planFile, { force: true });
    const since = Date.now();
    let answer: RunRecord;
    try {
      const prompt = plannerPrompt(team.roles.planner!.preamble, { goal: record.task, planFile, roles: roles.length ? roles : ['planner'], rejected: plan.rejected!.at(-1) });
      const run = await team.launch(planner, prompt);
      plan.runIds.push(run.id);
      if (team.stopping()) await registry.kill(run.id, { source: `team ${record.name} shutdown`, force: true });
      team.changed();
      answer = (await registry.wait(run.id)).record;
    } catch (error) {
      plan.rejected!.push(errorMessage(error));
      break;
    }
    if (record.status !== 'planning') return; // shut down meanwhile
    if (answer.status !== 'done') {
      plan.rejected!.push(`The planner's run ended ${answer.status}${answer.lastError ? `: ${answer.lastError}` : ''}.`);
      continue;
    }
    try {
      const specs = readPlan(answer.resultText ?? registry.tail(answer.id), { planFile, roles: roles.length ? roles : ['planner'] }, since);
      plan.from = answer.id;
      team.add(specs);
      record.status = 'running';
      team.changed();
      return;
    } catch (error) {
      plan.rejected!.push(errorMessage(error));
      team.changed();
    }
  }
  if (record.status !== 'planning') return;
  record.reason = `No usable plan after ${plan.runIds.length} planner run(s): ${plan.rejected!.at(-1) ?? 'the planner did not run'}`;
  record.status = 'running';
  team.finish('failed');
}
