/**
 * What New Goal asks, each answer checked as it is typed: the objective; the budgets (time, dollars,
 * tokens, each optional); how many agents at most; which runner the workers use; the gates (those
 * configured and detected in the workspace, for the user to confirm or edit, and any added as name=command); where
 * the tasks come from (a planner, or a `*.tasks.json` file of the workspace); whether to
 * iterate until ready (and for how many iterations at most); and whether an evaluator reviews the work (and its bar).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskSpec } from '../../core/dag/task';
import { readTaskFile } from '../../core/dag/taskJson';
import { errorMessage } from '../../core/errors';
import { parseDuration } from '../../core/goals/duration';
import { DEFAULT_QUALITY, type GoalCreateOptions } from '../../core/goals/goalIntake';
import { mergeRoles } from '../../core/teams/roles';
import { pickGates } from '../gatePicks';
import type { Services } from '../services';

export type GoalInputs = Omit<GoalCreateOptions, 'workspace'>;

const TITLE = 'New Goal';
const ROLE_RUNNERS = "Each role's own runner";
const PLAN = 'Plan with a planner worker';
const BROWSE = 'Browse…';
const UNTIL_READY = 'Until ready';
const ONCE = 'One iteration';
const NO_REVIEW = 'No review';
const REVIEW = 'Review by an evaluator';

/** `12`, `0.5`: a positive number, or undefined when the text is empty; throws saying what is wrong. */
export function parseAmount(text: string, what: string, integer = false): number | undefined {
  const trimmed = text.trim().replace(/^\+/, '').replace(/^\$/, '');
  if (!trimmed) return undefined;
  const scaled = /^(\d+(?:\.\d+)?)\s*([km])$/i.exec(trimmed);
  const n = scaled ? Number(scaled[1]) * (scaled[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000) : Number(trimmed);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`${what} must be ${integer ? 'a whole number' : 'a number'} more than zero${integer ? ' (500000, 500k, 1.5m)' : ''}, or empty.`);
  return n;
}

const check = (parse: (text: string) => unknown) => (text: string): string | undefined => {
  try {
    parse(text);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
};

async function ask(step: string, prompt: string, options: { value?: string; placeHolder?: string; validate?: (text: string) => unknown } = {}): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: `${TITLE}: ${step}`, prompt, value: options.value, placeHolder: options.placeHolder, ignoreFocusOut: true, validateInput: options.validate && check(options.validate) });
}

/** Undefined when the user gave up along the way. */
export async function askGoalInputs(services: Services, folder: vscode.Uri): Promise<GoalInputs | undefined> {
  const objective = await ask('objective', 'What should be true when the goal is done?', { validate: (t) => { if (!t.trim()) throw new Error('Say what should be true when it is done.'); } });
  if (!objective) return undefined;
  const time = await ask('time budget', 'At most this long, paused time aside (empty: no time limit).', { placeHolder: '8h, 90m, 1h30m', validate: (t) => t.trim() && parseDuration(t, 'a time budget') });
  if (time === undefined) return undefined;
  const usd = await ask('dollar budget', 'At most this many US dollars (empty: no dollar limit).', { placeHolder: '10', validate: (t) => parseAmount(t, 'The dollar budget') });
  if (usd === undefined) return undefined;
  const tokens = await ask('token budget', 'At most this many tokens (empty: no token limit).', { placeHolder: '500k', validate: (t) => parseAmount(t, 'The token budget', true) });
  if (tokens === undefined) return undefined;
  const agents = await ask('agents', 'At most this many agents at once (1 to 16).', { value: '2', validate: (t) => { const n = parseAmount(t, 'The number of agents', true); if (!n || n > 16) throw new Error('Give a whole number from 1 to 16.'); } });
  if (!agents) return undefined;
  const runner = await pickRunner(services);
  if (runner === undefined) return undefined;
  const gates = await pickGates(folder.fsPath, {
    title: TITLE,
    found: 'The gates that prove it done (found in the workspace; uncheck or add)',
    none: 'No gates found in the workspace: add one (without gates nothing checks the work)',
    runsIn: "in the goal's checkout",
  }, services.settings().config.goals.gates);
  if (!gates) return undefined;
  const tasks = await pickTasks(folder);
  if (tasks === undefined) return undefined;
  const loop = await vscode.window.showQuickPick(
    [
      { label: UNTIL_READY, detail: 'When a required gate fails, its failure becomes tasks of the next iteration, until the gates pass or the iterations run out.' },
      { label: ONCE, detail: 'One iteration: the tasks, then the gates; the goal ends ready or not ready.' },
    ],
    { title: `${TITLE}: iterations`, placeHolder: 'Iterate until ready?', ignoreFocusOut: true },
  );
  if (!loop) return undefined;
  let maxIterations: number | undefined;
  if (loop.label === UNTIL_READY) {
    const text = await ask('max iterations', 'At most this many iterations.', { value: '5', validate: (t) => { if (!parseAmount(t, 'The number of iterations', true)) throw new Error('Give a whole number more than zero.'); } });
    if (!text) return undefined;
    maxIterations = parseAmount(text, 'iterations', true);
  }
  const quality = await pickReview();
  if (quality === undefined) return undefined;
  return {
    objective,
    ...(time.trim() ? { budgetTime: time.trim() } : {}),
    budgetUsd: parseAmount(usd, 'dollars'),
    budgetTokens: parseAmount(tokens, 'tokens', true),
    maxAgents: parseAmount(agents, 'agents', true),
    ...(runner ? { runner } : {}),
    gates,
    ...(tasks === 'plan' ? {} : { tasks }),
    untilReady: loop.label === UNTIL_READY,
    ...(maxIterations ? { maxIterations } : {}),
    ...(quality ? { quality } : {}),
  };
}

/** The evaluator's bar, 0 for no review; undefined when given up. */
async function pickReview(): Promise<number | undefined> {
  const review = await vscode.window.showQuickPick(
    [
      { label: NO_REVIEW, detail: 'The gates alone prove it done.' },
      { label: REVIEW, detail: `An evaluator agent also scores the work (correctness, safety, style: switchboard.goals.evaluatorRubric); the goal needs a score of at least the bar (${DEFAULT_QUALITY}), and a low score becomes a fix task.` },
    ],
    { title: `${TITLE}: review`, placeHolder: 'Have an evaluator agent review the work too?', ignoreFocusOut: true },
  );
  if (!review) return undefined;
  if (review.label === NO_REVIEW) return 0;
  const bar = await ask('quality bar', 'The score the work needs, above 0 and at most 1.', { value: String(DEFAULT_QUALITY), validate: parseQuality });
  return bar ? parseQuality(bar) : undefined;
}

/** `0.8`: a score above 0 and at most 1; throws saying what is wrong. */
export function parseQuality(text: string): number {
  const n = Number(text.trim());
  if (!text.trim() || !Number.isFinite(n) || n <= 0 || n > 1) throw new Error('Give a number above 0 and at most 1, e.g. 0.8.');
  return n;
}

/** '' for each role's own runner; undefined when given up. */
async function pickRunner(services: Services): Promise<string | undefined> {
  const roles = mergeRoles(services.settings().config.teams.roles);
  const report = await services.availability.get();
  const preferred = services.settings().defaultRunner;
  const items = [
    { label: ROLE_RUNNERS, description: `planner: ${roles.planner?.runner}, executor: ${roles.executor?.runner}`, runner: '' },
    ...report.runners
      .filter((r) => r.installed && !r.problem)
      .map((r) => ({ label: r.runner, description: r.displayName, detail: r.runner === 'custom' ? r.note : r.path, runner: r.runner }))
      .sort((a, b) => Number(b.runner === preferred) - Number(a.runner === preferred)),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${TITLE}: runner`, placeHolder: 'Which agent CLI do the workers use?', ignoreFocusOut: true });
  return picked?.runner;
}

/** 'plan' for a planner, else the tasks of the file picked; undefined when given up. */
async function pickTasks(folder: vscode.Uri): Promise<TaskSpec[] | 'plan' | undefined> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.tasks.json'), '**/node_modules/**', 200);
  const files = found.map((uri) => ({ label: path.relative(folder.fsPath, uri.fsPath), detail: 'The tasks in this file (with their dependencies) are the first iteration\'s.', file: uri.fsPath })).sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(
    [{ label: PLAN, detail: 'A planner worker turns the objective into tasks with dependencies; executors work them.', file: '' }, ...files, { label: BROWSE, detail: 'Another JSON file of tasks.', file: '' }],
    { title: `${TITLE}: tasks`, placeHolder: 'Where do the tasks come from?', ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (picked.label === PLAN) return 'plan';
  let file = picked.file;
  if (picked.label === BROWSE) {
    const chosen = await vscode.window.showOpenDialog({ defaultUri: folder, canSelectMany: false, filters: { 'Task lists': ['json'] }, openLabel: 'Use These Tasks' });
    if (!chosen?.[0]) return undefined;
    file = chosen[0].fsPath;
  }
  return readTaskFile(file, path.relative(folder.fsPath, file) || file);
}
