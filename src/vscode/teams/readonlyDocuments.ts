/**
 * A read-only file system of generated documents (a team's DAG, a file at a git revision): each
 * URI's text is made once and kept until `invalidate` says it changed (then its mtime moves and VS
 * Code reads it again) or its editor closes; `follow` does the same at most once a second, for
 * documents of something that changes often. A file system rather than a content provider so that
 * VS Code restores these editors after a window reload and offers them to the diff editors.
 */
import * as vscode from 'vscode';
import { Lifecycle, toDisposable } from '../../core/lifecycle';

/** Documents `follow` makes again are made at most this often. */
const FOLLOW_MS = 1000;

const refuse = (): never => {
  throw vscode.FileSystemError.NoPermissions('Switchboard documents are read-only.');
};

export abstract class ReadonlyDocuments extends Lifecycle implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly made = new Map<string, Promise<Uint8Array>>();
  private readonly mtimes = new Map<string, number>();
  /** When each document was last made, and those `follow` makes again once FOLLOW_MS has passed since. */
  private readonly madeAt = new Map<string, number>();
  private readonly later = new Map<string, vscode.Uri>();
  private timer: NodeJS.Timeout | undefined;

  readonly readDirectory = refuse;
  readonly createDirectory = refuse;
  readonly writeFile = refuse;
  readonly delete = refuse;
  readonly rename = refuse;

  constructor(readonly scheme: string) {
    super();
    this.register(this.changed);
    this.register(vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== scheme) return;
      const key = doc.uri.toString();
      this.made.delete(key);
      this.mtimes.delete(key);
      this.madeAt.delete(key);
      this.later.delete(key);
    }));
    this.register(toDisposable(() => this.timer && clearTimeout(this.timer)));
  }

  /** The document's text (or bytes); a rejection is shown as VS Code's "cannot open" with its message. */
  protected abstract make(uri: vscode.Uri): Promise<string | Uint8Array>;

  /** The open documents of this scheme. */
  protected openUris(): vscode.Uri[] {
    return vscode.workspace.textDocuments.map((d) => d.uri).filter((uri) => uri.scheme === this.scheme);
  }

  /** These documents changed: VS Code reads them again. */
  protected invalidate(uris: readonly vscode.Uri[]): void {
    if (uris.length === 0) return;
    for (const uri of uris) {
      const key = uri.toString();
      this.made.delete(key);
      this.mtimes.set(key, Math.max(Date.now(), (this.mtimes.get(key) ?? 0) + 1));
    }
    this.changed.fire(uris.map((uri) => ({ type: vscode.FileChangeType.Changed, uri })));
  }

  /** These changed: made again now, or (made less than FOLLOW_MS ago) once that time is up. */
  protected follow(uris: readonly vscode.Uri[]): void {
    const now = Date.now();
    const due: vscode.Uri[] = [];
    for (const uri of uris) {
      const wait = (this.madeAt.get(uri.toString()) ?? 0) + FOLLOW_MS - now;
      if (wait <= 0) due.push(uri);
      else {
        this.later.set(uri.toString(), uri);
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          const waiting = [...this.later.values()];
          this.later.clear();
          this.follow(waiting);
        }, wait);
      }
    }
    this.invalidate(due);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => {});
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const bytes = await this.bytes(uri);
    const key = uri.toString();
    if (!this.mtimes.has(key)) this.mtimes.set(key, Date.now());
    return { type: vscode.FileType.File, ctime: 0, mtime: this.mtimes.get(key)!, size: bytes.byteLength, permissions: vscode.FilePermission.Readonly };
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.bytes(uri);
  }

  private bytes(uri: vscode.Uri): Promise<Uint8Array> {
    const key = uri.toString();
    let made = this.made.get(key);
    if (!made) {
      this.madeAt.set(key, Date.now());
      made = this.make(uri).then((content) => (typeof content === 'string' ? Buffer.from(content) : content));
      // A failure is not kept: the next read tries again.
      made.catch(() => this.made.get(key) === made && this.made.delete(key));
      this.made.set(key, made);
    }
    return made;
  }

}
