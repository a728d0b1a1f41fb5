/**
 * Work added to a goal's graph while it goes on (a promoted discovery). It is checked against the
 * whole graph (an unknown dependency or a cycle is refused, naming it). The team at work takes it at
 * once when it can (its dependencies are that team's tasks, or done); otherwise it waits in the
 * graph, and before the goal verifies or proves anything its next team works it.
 */
import { tasksFromSpecs } from '../dag/graph';
import type { Task, TaskSpec } from '../dag/task';
import { SwitchboardError } from '../errors';
import type { TeamService } from '../teams/teamService';
import { isActiveTeam, type TeamRecord } from '../teams/teamStore';
import { isSettledGoal, type GoalRecord } from './goalRecord';

/** The task checked against the goal's graph (not added yet). */
function checked(goal: GoalRecord, spec: TaskSpec): Task {
  if (isSettledGoal(goal.status)) throw new SwitchboardError('not_running', `Goal ${goal.id} has ended (${goal.status}); it takes no more tasks.`, 'Create a new goal for this work.');
  if (goal.iterations.length === 0 || (goal.tasks.length === 0 && !goal.team)) {
    throw new SwitchboardError('not_running', `Goal ${goal.id} has no task graph yet.`, 'Try again once it is planning or executing (goal status shows its phase).');
  }
  return tasksFromSpecs([spec], goal.tasks)[0]!;
}

/** Adds the task to the graph of a goal that no team works now (its next team will); the caller saves the record. */
export function addToGoalGraph(goal: GoalRecord, spec: TaskSpec): Task {
  const task = checked(goal, spec);
  place(goal, task);
  return task;
}

/** Adds the task to the goal's graph (and to its team at work, when it can take it); the caller saves the record. */
export async function addGoalTask(goal: GoalRecord, teams: TeamService, spec: TaskSpec): Promise<Task> {
  const task = checked(goal, spec);
  const team = goal.team ? teamOf(teams, goal.team) : undefined;
  if (team && isActiveTeam(team.status) && team.status !== 'planning') {
    const inTeam = new Set(team.tasks.map((t) => t.id));
    const outside = task.dependsOn.filter((d) => !inTeam.has(d));
    // What the team does not have must already be on the goal branch.
    if (outside.every((d) => goal.tasks.find((t) => t.id === d)?.status === 'done')) {
      try {
        const [added] = await teams.addTasks(team.name, [{ ...spec, dependsOn: task.dependsOn.filter((d) => inTeam.has(d)) }]);
        // The goal follows its team's tasks; it is in the graph by now, unless the goal is not followed here.
        if (!goal.tasks.some((t) => t.id === added!.id)) place(goal, { ...added! });
        return added!;
      } catch (error) {
        // The team ended meanwhile: the goal's next team works it.
        if (!(error instanceof SwitchboardError) || error.code !== 'not_running') throw error;
      }
    }
  }
  place(goal, task);
  return task;
}

function teamOf(teams: TeamService, name: string): TeamRecord | undefined {
  try {
    return teams.get(name);
  } catch {
    return undefined; // not made yet
  }
}

function place(goal: GoalRecord, task: Task): void {
  goal.tasks.push(task);
  const iteration = goal.iterations.at(-1)!;
  if (!iteration.tasks.includes(task.id)) iteration.tasks.push(task.id);
}

/**
 * Work added while no team of the goal was at work: tasks of the graph never started (pending, no
 * attempt), moved into the current iteration. True when there is some, so that a team works it
 * before the goal verifies or proves anything.
 */
export function takeAddedWork(goal: GoalRecord): boolean {
  const iteration = goal.iterations.at(-1);
  if (!iteration) return false;
  const waiting = goal.tasks.filter((t) => t.status === 'pending' && t.attempts === 0 && !t.runId);
  for (const task of waiting) if (!iteration.tasks.includes(task.id)) iteration.tasks.push(task.id);
  return waiting.length > 0;
}
