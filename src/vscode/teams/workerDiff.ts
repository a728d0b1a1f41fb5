/**
 * A worker's branch against where it left the base, in VS Code's diff editors (showChanges): each
 * side is the file at a commit (the merge base, the branch's tip), served by GitRevisions.
 */
import * as vscode from 'vscode';
import { resolveCommit } from '../../core/git/gitCommand';
import type { TeamService } from '../../core/teams/teamService';
import { showChanges } from '../diffEditors';
import { GitRevisions } from './gitRevisions';

export async function openWorkerDiff(teams: TeamService, team: string, worker: string): Promise<void> {
  const changes = await teams.workerChanges(team, worker);
  const { repo, mergeBase, branch, base, files } = changes;
  if (files.length === 0) {
    void vscode.window.showInformationMessage(`${worker}'s branch ${branch} has changed nothing since it left ${base}.`);
    return;
  }
  const tip = (await resolveCommit(repo, branch)) ?? branch;
  const pairs = files.map((f) => ({
    path: f.path,
    left: f.status === 'A' ? undefined : GitRevisions.uri(repo, mergeBase, f.oldPath ?? f.path),
    right: f.status === 'D' ? undefined : GitRevisions.uri(repo, tip, f.path),
  }));
  await showChanges(repo, `${worker}: ${base} ↔ ${branch}`, pairs);
}
