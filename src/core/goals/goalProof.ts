/**
 * A goal's proof: what shows it is done, and what is missing, from real git (the files and commits
 * its branch holds beyond its base) and real gate runs (the last iteration's results). Nothing in it
 * is asserted that was not observed. Written to `goals/<id>/proof.json` and returned.
 */
import * as fs from 'node:fs';
import { StateMap } from '../state/stateMap';
import { writeJsonAtomic } from '../store/atomicFile';
import type { GateResult } from '../gates/gate';
import type { GoalContext } from './goalContext';
import type { Artifact, GoalRecord, GoalStatus } from './goalRecord';
import { gatesHold, graphSummary, unfinishedTasks } from './goalTasks';
import { goalChanges } from './goalWorkspace';

export interface GoalProof {
  version: 1;
  goalId: string;
  status: GoalStatus;
  readiness: string;
  summary: string;
  generatedAt: number;
  artifacts: Artifact[];
  taskGraphSummary: { totalTasks: number; pendingTasks: number; blockedTasks: number; doneTasks: number };
  changedFiles: string[];
  commits: string[];
  gates: GateResult[];
  /** The gates ran on the goal branch after the last work was merged into it. */
  postMutationGatesRan: boolean;
  knownGaps: string[];
  humanDecisionsRequired: string[];
}

/** The proof of the goal as it stands (`ready` says whether it lets the goal end ready). */
export async function buildProof(goal: GoalRecord): Promise<GoalProof & { ready: boolean }> {
  const last = [...goal.iterations].reverse().find((i) => i.gates);
  const gates = last?.gates ?? [];
  // The branch is read from the workspace's repository when the checkout was removed (goal cleanup).
  const where = fs.existsSync(goal.checkout) ? goal.checkout : goal.workspace;
  const { files, commits } = await goalChanges(where, goal.baseCommit, goal.branch).catch(() => ({ files: [] as string[], commits: [] as string[] }));
  const summary = graphSummary(goal.tasks);
  const gaps: string[] = [];
  const failed = gates.filter((g) => g.required && !g.passed);
  if (goal.gates.length === 0) gaps.push('the goal has no gates: nothing checked that the work does what it should');
  else if (!last) gaps.push('the gates have not run yet');
  for (const g of failed) gaps.push(`required gate "${g.name}" ${g.timedOut ? 'timed out' : `failed (exit code ${g.exitCode ?? 'none'})`}`);
  for (const g of gates.filter((x) => !x.required && !x.passed)) gaps.push(`optional gate "${g.name}" failed`);
  // The last verified iteration's tasks: one that failed earlier and was done again since is history, not a gap.
  const undone = last ? unfinishedTasks(goal, last) : [];
  if (undone.length) gaps.push(`${undone.length} task(s) not done: ${undone.map((t) => `${t.id} ${t.status}${t.reason ? ` (${t.reason})` : ''}`).join('; ')}`);
  else if (!last && summary.blocked) gaps.push(`${summary.blocked} task(s) failed or were blocked`);
  if (summary.pending) gaps.push(`${summary.pending} task(s) not done`);
  for (const problem of last?.problems ?? []) gaps.push(problem);
  if (goal.quality !== undefined && last?.reviewProblem) gaps.push(last.reviewProblem);
  if (goal.quality !== undefined && last?.score !== undefined && last.score < goal.quality) gaps.push(`the evaluator scored ${last.score.toFixed(2)}, below ${goal.quality}`);
  if (commits.length === 0) gaps.push('the goal branch holds no change');
  const postMutation = !!last && last === goal.iterations.at(-1);
  const gatesOk = gatesHold(goal, last?.gates) && (goal.gates.length === 0 || !!last);
  const scoreOk = goal.quality === undefined || (last?.score ?? 0) >= goal.quality;
  const proofOk = !goal.terminalCriteria.proofRequired || (postMutation && gates.length > 0);
  const ready = gatesOk && scoreOk && proofOk && failed.length === 0 && undone.length === 0;
  const human = [`merge ${goal.branch} into ${goal.base} when you are satisfied (the goal never merges it by itself)`];
  return {
    version: 1,
    goalId: goal.id,
    status: ready ? 'ready' : goal.status === 'running' ? 'not_ready' : goal.status,
    readiness: ready ? `ready: every required gate passed on ${goal.branch} after its last change` : `not ready: ${gaps[0] ?? 'the terminal criteria do not hold'}`,
    summary: `Goal '${goal.normalizedGoal}' ran ${goal.iterations.length} iteration(s); ${summary.done} of ${summary.total} task(s) done, ${gates.filter((g) => g.passed).length} of ${gates.length} gate(s) passed, ${commits.length} commit(s) on ${goal.branch} changing ${files.length} file(s).`,
    generatedAt: Date.now(),
    artifacts: goal.artifacts,
    taskGraphSummary: { totalTasks: summary.total, pendingTasks: summary.pending, blockedTasks: summary.blocked, doneTasks: summary.done },
    changedFiles: files,
    commits,
    gates,
    postMutationGatesRan: postMutation,
    knownGaps: gaps,
    humanDecisionsRequired: ready ? human : [],
    ready,
  };
}

export async function writeProof(ctx: GoalContext, goal: GoalRecord): Promise<GoalProof & { ready: boolean; path: string }> {
  const proof = await buildProof(goal);
  const file = new StateMap(ctx.stateDir).goal(goal.id).proof;
  const { ready: _ready, ...stored } = proof;
  writeJsonAtomic(file, stored);
  return { ...proof, path: file };
}
