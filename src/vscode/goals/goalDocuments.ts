/**
 * A goal's read-only Markdown documents (`switchboard-goal:/<goal>/<name>.md`), each made again when
 * what it is made from moves: the proof (its status, phase, iteration or artifacts), the diagnosis
 * (its measured iterations, its stagnation, its status), the replay and the budget report (any
 * change of the goal, at most once a second); and `/<goal>/gates-<n>.txt`, the results of a Run
 * Gates Now as they were. Each ends with where the goal stands.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { GoalService } from '../../core/goals/goalService';
import { renderProof } from '../../core/goals/goalText';
import { toBudgetReportShape, toReplayShape } from '../../ops/goalShapes';
import { renderBudgetReport, renderReplay } from '../../ops/goalReportText';
import { toDiagnosisShape } from '../../ops/recoveryShapes';
import { renderDiagnosis } from '../../ops/recoveryText';
import { ReadonlyDocuments } from '../teams/readonlyDocuments';
import type { GoalSnapshot, GoalWatcher } from './goalWatcher';

export const GOAL_SCHEME = 'switchboard-goal';

/** The documents that follow a goal: what each is made from (undefined: anything), and how. */
const KINDS = {
  proof: {
    input: ({ view: { goal } }: GoalSnapshot) => [goal.status, goal.phase, goal.iteration, goal.artifacts.map((a) => a.path).join(',')].join(' '),
    make: async (goals: GoalService, id: string) => renderProof(await goals.proof(id), true),
  },
  diagnosis: {
    input: ({ view: { goal } }: GoalSnapshot) => [goal.status, goal.iterations.filter((i) => i.metrics).length, goal.iterations.length, goal.stagnation?.kind ?? '', goal.stagnation?.iteration ?? ''].join(' '),
    make: async (goals: GoalService, id: string) => {
      const shape = toDiagnosisShape(goals.diagnose(id));
      const how = shape.stagnant ? "\n\nIn VS Code: **Recover Goal…** (in the goal's menu) shows the plan and carries it out; **Roll Back Goal…** goes back to a checkpoint." : '';
      return `${renderDiagnosis(shape, true)}${how}`;
    },
  },
  replay: {
    input: undefined,
    make: async (goals: GoalService, id: string) => renderReplay(toReplayShape(goals.replay(id)), true),
  },
  budget: {
    input: undefined,
    make: async (goals: GoalService, id: string) => renderBudgetReport(toBudgetReportShape(goals.budgetReport(id)), true),
  },
} satisfies Record<string, { input: ((s: GoalSnapshot) => string) | undefined; make: (goals: GoalService, id: string) => Promise<string> }>;

export type GoalDocumentKind = keyof typeof KINDS;

export class GoalDocuments extends ReadonlyDocuments {
  /** What each open document was made from (its kind's input). */
  private readonly inputs = new Map<string, string>();
  /** The text of each gate run shown. */
  private readonly gateRuns = new Map<string, string>();
  private runs = 0;

  constructor(
    private readonly watcher: GoalWatcher,
    private readonly goals: () => GoalService,
  ) {
    super(GOAL_SCHEME);
    this.register(watcher.onDidChange(({ changed, listChanged }) => {
      const goals = new Set(changed);
      this.follow(this.openUris().filter((uri) => kindOf(uri) && (listChanged || goals.has(goalOf(uri))) && this.moved(uri)));
    }));
    this.register(vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      this.gateRuns.delete(key);
      this.inputs.delete(key);
    }));
  }

  static uri(goal: string, kind: GoalDocumentKind): vscode.Uri {
    return vscode.Uri.from({ scheme: GOAL_SCHEME, path: `/${goal}/${kind}.md` });
  }

  static proofUri(goal: string): vscode.Uri {
    return GoalDocuments.uri(goal, 'proof');
  }

  /** A document holding the results of one gate run of the goal. */
  gateRunUri(goal: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: GOAL_SCHEME, path: `/${goal}/gates-${++this.runs}.txt` });
    this.gateRuns.set(uri.toString(), text);
    return uri;
  }

  /** Whether what the document is made from moved. */
  private moved(uri: vscode.Uri): boolean {
    const input = KINDS[kindOf(uri)!].input;
    const snapshot = this.watcher.get(goalOf(uri));
    return !snapshot || !input || input(snapshot) !== this.inputs.get(uri.toString());
  }

  protected async make(uri: vscode.Uri): Promise<string> {
    const goal = goalOf(uri);
    const run = this.gateRuns.get(uri.toString());
    if (run !== undefined) return run;
    const kind = kindOf(uri);
    if (!kind) return `Goal ${goal}: this gate run was shown in an earlier window; run the gates again (Switchboard: Run Gates Now).\n`;
    try {
      const snapshot = this.watcher.get(goal);
      const input = KINDS[kind].input;
      if (snapshot && input) this.inputs.set(uri.toString(), input(snapshot));
      const goals = this.goals();
      const text = await KINDS[kind].make(goals, goal);
      const record = goals.get(goal);
      return `${text}\n\n---\n\nGoal ${goal} is ${record.status} (${record.phase}, iteration ${record.iteration}/${record.maxIterations}): ${record.normalizedGoal}\n`;
    } catch (error) {
      return `Goal ${goal}: ${errorMessage(error)}\n`;
    }
  }
}

const goalOf = (uri: vscode.Uri): string => uri.path.split('/')[1] ?? '';

function kindOf(uri: vscode.Uri): GoalDocumentKind | undefined {
  const name = /^\/[^/]+\/(\w+)\.md$/.exec(uri.path)?.[1];
  return name && name in KINDS ? (name as GoalDocumentKind) : undefined;
}

/** Opens one of a goal's documents as Markdown, in a tab of its own. */
export async function openGoalDocument(goal: string, kind: GoalDocumentKind): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(GoalDocuments.uri(goal, kind));
  await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  await vscode.window.showTextDocument(doc, { preview: false });
}
