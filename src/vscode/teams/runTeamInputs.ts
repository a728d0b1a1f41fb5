/**
 * What Run Team asks: the team spec (checked as it is typed), the goal, and where the tasks come
 * from (a planner worker, the goal as the one task, or a JSON file of tasks in the workspace).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskSpec } from '../../core/dag/task';
import { readTaskFile, TASK_JSON_SHAPE } from '../../core/dag/taskJson';
import { errorMessage } from '../../core/errors';
import { mergeRoles, type Role } from '../../core/teams/roles';
import { parseTeamSpec } from '../../core/teams/spec';

export interface TeamInputs {
  spec: string;
  goal: string;
  /** Undefined: a planner worker makes them. */
  tasks?: TaskSpec[];
}

const DEFAULT_SPEC = '2:executor';
const PLAN = 'Plan with a planner worker';
const ONE_TASK = 'One task: the goal';
const FROM_FILE = 'From a JSON file…';
const BROWSE = 'Browse…';

/** Undefined when the user gave up along the way. */
export async function askTeamInputs(roles: Readonly<Record<string, Partial<Role>>>, folder: vscode.Uri): Promise<TeamInputs | undefined> {
  const known = mergeRoles(roles);
  const spec = await vscode.window.showInputBox({
    title: 'Run Team: workers',
    prompt: `N:role[:runner], several joined by commas (roles: ${Object.keys(known).join(', ')})`,
    value: DEFAULT_SPEC,
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseTeamSpec(value, known);
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (!spec) return undefined;
  const goal = await vscode.window.showInputBox({
    title: `Run Team ${spec}: goal`,
    prompt: 'What should the team do?',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the team should do.'),
  });
  if (!goal) return undefined;
  const planner = parseTeamSpec(spec, known).some((w) => w.role === 'planner');
  const choices = [
    ...(planner ? [{ label: PLAN, detail: 'The planner worker turns the goal into tasks with dependencies; the others work them.' }] : []),
    { label: ONE_TASK, detail: 'The goal is the only task.' },
    { label: FROM_FILE, detail: `A file holding ${TASK_JSON_SHAPE}.` },
  ];
  const source = await vscode.window.showQuickPick(choices, { title: `Run Team ${spec}: tasks`, placeHolder: 'Where do the tasks come from?', ignoreFocusOut: true });
  if (!source) return undefined;
  if (source.label === PLAN) return { spec, goal };
  if (source.label === ONE_TASK) return { spec, goal, tasks: [{ title: goal }] };
  const file = await pickJsonFile(folder);
  return file ? { spec, goal, tasks: readTaskFile(file, path.relative(folder.fsPath, file) || file) } : undefined;
}

async function pickJsonFile(folder: vscode.Uri): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.json'), '**/node_modules/**', 200);
  const items = [
    ...found.map((uri) => ({ label: path.relative(folder.fsPath, uri.fsPath), file: uri.fsPath })).sort((a, b) => a.label.localeCompare(b.label)),
    { label: BROWSE, file: '' },
  ];
  const picked = found.length ? await vscode.window.showQuickPick(items, { title: 'Run Team: tasks file', placeHolder: 'Which file holds the tasks?', ignoreFocusOut: true }) : { label: BROWSE, file: '' };
  if (!picked || picked.label !== BROWSE) return picked?.file;
  const chosen = await vscode.window.showOpenDialog({ defaultUri: folder, canSelectMany: false, filters: { 'Task lists': ['json'] }, openLabel: 'Use These Tasks' });
  return chosen?.[0]?.fsPath;
}
