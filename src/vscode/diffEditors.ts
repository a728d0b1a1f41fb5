/**
 * Changed files in VS Code's diff editors: the multi-file changes editor (`vscode.changes`), or a
 * plain diff editor when one file changed. A side without a URI is no file (the file was added or
 * deleted); the plain diff editor gets an empty file of the repository there instead.
 */
import * as vscode from 'vscode';
import { GitRevisions } from './teams/gitRevisions';

export interface ChangedPair {
  path: string;
  left?: vscode.Uri;
  right?: vscode.Uri;
}

export async function showChanges(repo: string, title: string, pairs: readonly ChangedPair[]): Promise<void> {
  if (pairs.length === 1) {
    const { path, left, right } = pairs[0]!;
    const empty = GitRevisions.uri(repo, undefined, path);
    await vscode.commands.executeCommand('vscode.diff', left ?? empty, right ?? empty, `${path} (${title})`, { preview: false });
    return;
  }
  await vscode.commands.executeCommand('vscode.changes', title, pairs.map(({ left, right }) => [right ?? left, left, right]));
}
