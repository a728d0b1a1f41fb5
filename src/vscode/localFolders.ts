/** This window's folders on this machine's disk (not a remote or virtual one), and whether a path lies in one of them. */
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The paths of this window's `file:` folders. */
export function localFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** Whether `folder` is one of `parents`, or lies below one. */
export function insideAny(folder: string, parents: readonly string[]): boolean {
  return parents.some((parent) => {
    const relative = path.relative(parent, folder);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  });
}
