/**
 * Files as they are at a git commit (`switchboard-git:/<path>?repo=<root>&rev=<commit>`), read with
 * `git show <commit>:<path>` and served read-only, for the diff editors of a worker's branch. A
 * commit's files never change, so each is read once while it is open.
 */
import * as vscode from 'vscode';
import { git } from '../../core/git/gitCommand';
import { ReadonlyDocuments } from './readonlyDocuments';

export const GIT_SCHEME = 'switchboard-git';

export class GitRevisions extends ReadonlyDocuments {
  constructor() {
    super(GIT_SCHEME);
  }

  /** `file` (relative to the repository's top folder) as it is at `commit`; without a commit, an empty file (it did not exist). */
  static uri(repo: string, commit: string | undefined, file: string): vscode.Uri {
    return vscode.Uri.from({ scheme: GIT_SCHEME, path: `/${file}`, query: new URLSearchParams({ repo, ...(commit ? { rev: commit } : {}) }).toString() });
  }

  protected async make(uri: vscode.Uri): Promise<string> {
    const params = new URLSearchParams(uri.query);
    const repo = params.get('repo');
    const rev = params.get('rev');
    if (!repo) throw vscode.FileSystemError.FileNotFound(uri);
    if (!rev) return '';
    const shown = await git(repo, ['show', `${rev}:${uri.path.slice(1)}`], { okExitCodes: [128] });
    if (shown.exitCode !== 0) throw vscode.FileSystemError.FileNotFound(uri);
    return shown.stdout;
  }
}
