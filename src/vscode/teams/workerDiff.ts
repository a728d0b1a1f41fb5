/**
 * A worker's branch against where it left the base, in VS Code's diff editors: the multi-file
 * changes editor (`vscode.changes`), or a single diff when one file changed; each side is the file
 * at a commit (the merge base, the branch's tip), served by GitRevisions.
 */
import * as vscode from 'vscode';
import type { ChangedFile } from '../../core/git/branchChanges';
import { resolveCommit } from '../../core/git/gitCommand';
import type { TeamService } from '../../core/teams/teamService';
import { GitRevisions } from './gitRevisions';

export async function openWorkerDiff(teams: TeamService, team: string, worker: string): Promise<void> {
  const changes = await teams.workerChanges(team, worker);
  const { repo, mergeBase, branch, base, files } = changes;
  if (files.length === 0) {
    void vscode.window.showInformationMessage(`${worker}'s branch ${branch} has changed nothing since it left ${base}.`);
    return;
  }
  const tip = (await resolveCommit(repo, branch)) ?? branch;
  const before = (f: ChangedFile): string | undefined => (f.status === 'A' ? undefined : mergeBase);
  const after = (f: ChangedFile): string | undefined => (f.status === 'D' ? undefined : tip);
  const title = `${worker}: ${base} ↔ ${branch}`;
  if (files.length === 1) {
    const f = files[0]!;
    const left = GitRevisions.uri(repo, before(f), f.oldPath ?? f.path);
    const right = GitRevisions.uri(repo, after(f), f.path);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${f.path} (${title})`, { preview: false });
    return;
  }
  const list = files.map((f) => {
    const left = before(f) && GitRevisions.uri(repo, before(f), f.oldPath ?? f.path);
    const right = after(f) && GitRevisions.uri(repo, after(f), f.path);
    return [right ?? left, left, right];
  });
  await vscode.commands.executeCommand('vscode.changes', title, list);
}
