/**
 * A team's read-only documents (`switchboard-team:/<team>/dag.txt` and `/<team>/merge-status.txt`):
 * the task graph as text, and the conflict scores of its worker branches. Both follow the team: the
 * DAG is made again whenever the team changes, the merge status (a git merge-tree per pair of
 * branches) only when a task's commit or the team's status did.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { TeamService } from '../../core/teams/teamService';
import { renderMergeStatus } from '../../core/teams/teamText';
import { ReadonlyDocuments } from './readonlyDocuments';
import type { TeamSnapshot, TeamWatcher } from './teamWatcher';

export const TEAM_SCHEME = 'switchboard-team';
const DAG = 'dag.txt';
const MERGE_STATUS = 'merge-status.txt';

export class TeamDocuments extends ReadonlyDocuments {
  /** What the merge status of each team was last made from (its tasks' commits and its status). */
  private readonly mergeInputs = new Map<string, string>();

  constructor(
    private readonly watcher: TeamWatcher,
    private readonly teams: () => TeamService,
  ) {
    super(TEAM_SCHEME);
    this.register(watcher.onDidChange(({ changed, listChanged }) => {
      const teams = new Set(changed);
      this.invalidate(this.openUris().filter((uri) => listChanged || (teams.has(teamOf(uri)) && this.moved(uri))));
    }));
  }

  static dagUri(team: string): vscode.Uri {
    return vscode.Uri.from({ scheme: TEAM_SCHEME, path: `/${team}/${DAG}` });
  }

  static mergeStatusUri(team: string): vscode.Uri {
    return vscode.Uri.from({ scheme: TEAM_SCHEME, path: `/${team}/${MERGE_STATUS}` });
  }

  /** Makes the team's open documents again (after a merge moved its base, say). */
  refresh(team: string): void {
    this.invalidate(this.openUris().filter((uri) => teamOf(uri) === team));
  }

  /** Whether what the document is made from moved (the DAG: any change; the merge status: commits or status). */
  private moved(uri: vscode.Uri): boolean {
    if (!uri.path.endsWith(`/${MERGE_STATUS}`)) return true;
    const snapshot = this.watcher.get(teamOf(uri));
    return !snapshot || mergeInput(snapshot) !== this.mergeInputs.get(uri.toString());
  }

  protected async make(uri: vscode.Uri): Promise<string> {
    const team = teamOf(uri);
    try {
      const teams = this.teams();
      const record = teams.get(team);
      const head = `Team ${record.name}: ${record.status} — ${record.task}`;
      if (uri.path.endsWith(`/${DAG}`)) return `${head}\n\n${teams.dag(team).ascii}\n`;
      const snapshot = this.watcher.get(team);
      if (snapshot) this.mergeInputs.set(uri.toString(), mergeInput(snapshot));
      return `${head}\nMerge status of its worker branches (base ${record.base ?? 'unknown'})\n\n${renderMergeStatus(await teams.mergeStatus(team))}\n`;
    } catch (error) {
      return `Team ${team}: ${errorMessage(error)}\n`;
    }
  }

}

const teamOf = (uri: vscode.Uri): string => uri.path.split('/')[1] ?? '';

function mergeInput(snapshot: TeamSnapshot): string {
  return [snapshot.view.team.status, ...snapshot.view.team.tasks.map((t) => t.result?.commit ?? '')].join(' ');
}
