/**
 * Agent output as read-only files (`switchboard-output:`): readable events (text, tool calls,
 * results, errors) or the raw bytes, kept current as the agent writes, following the tail when the
 * reader is at the bottom. Documents are rebuilt incrementally, at most every 300 ms, and hold only
 * the last lines, so a flood of output never freezes the editor. They are served by a read-only
 * file system provider (not a content provider) so that VS Code reopens them after a window reload:
 * it restores editors of file systems, activating the extension by `onFileSystem:switchboard-output`.
 */
import * as vscode from 'vscode';
import { renderEvent } from '../core/render';
import { plainText } from '../core/terminalText';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { RunRegistry } from '../core/registry/registry';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import { getRunner } from '../core/runners/runnerTable';
import type { RunRecord } from '../core/runs/types';

export const OUTPUT_SCHEME = 'switchboard-output';
const MAX_LINES = 5000;
const RAW_TAIL_BYTES = 512 * 1024;
const UPDATE_MS = 300;

interface DocState {
  lines: string[];
  lastSeq: number;
  dropped: number;
}

export class OutputDocuments extends Lifecycle implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  /** When each document last changed, as its file's mtime (VS Code rereads a file whose mtime moved). */
  private readonly mtimes = new Map<string, number>();
  /** Editors at the bottom of a document when it changed, revealed at the end once the new text is in. */
  private readonly following = new Map<string, vscode.TextEditor[]>();
  /** Settles once the first registry (or its absence) is known: a restored editor may ask before. */
  private readonly ready: Promise<void>;
  private markReady: () => void = () => {};
  private readonly states = new Map<string, DocState>();
  private readonly dirty = new Set<string>();
  /** The open output documents of each run (by run id). */
  private readonly open = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private listeners: vscode.Disposable[] = [];
  private registry: RunRegistry | undefined;

  /** Serves the runs of the current Switchboard. */
  constructor(slot: SwitchboardSlot) {
    super();
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.register(this.changed);
    this.register(slot.onDidChange((sb) => this.setRegistry(sb?.runs)));
    this.register(toDisposable(() => {
      if (this.timer) clearTimeout(this.timer);
      for (const l of this.listeners) l.dispose();
    }));
  }

  static uriFor(run: RunRecord, raw = false): vscode.Uri {
    return vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${run.name}${raw ? ' (raw)' : ''}.log`, query: `id=${run.id}${raw ? '&raw=1' : ''}` });
  }

  private setRegistry(registry: RunRegistry | undefined): void {
    this.registry = registry;
    this.states.clear();
    this.listen();
    this.markReady();
    const docs = vscode.workspace.textDocuments.filter((doc) => doc.uri.scheme === OUTPUT_SCHEME);
    for (const doc of docs) this.touched(doc.uri.toString());
    if (docs.length) this.changed.fire(docs.map((doc) => ({ type: vscode.FileChangeType.Changed, uri: doc.uri })));
  }

  private listen(): void {
    for (const l of this.listeners) l.dispose();
    this.open.clear();
    const registry = this.registry;
    if (!registry) return;
    for (const doc of vscode.workspace.textDocuments) this.opened(doc);
    // Busy agents notify many times a second each: a run with no open document costs one lookup.
    const touch = (runId: string): void => {
      const docs = this.open.get(runId);
      if (!docs) return;
      for (const key of docs) this.dirty.add(key);
      this.timer ??= setTimeout(() => this.flush(), UPDATE_MS);
    };
    this.listeners = [
      registry.onDidAppendEvent(({ runId }) => touch(runId)),
      registry.onDidOutput(({ runId }) => touch(runId)),
      registry.onDidChange(({ run }) => touch(run.id)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.opened(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.closed(doc)),
      vscode.workspace.onDidChangeTextDocument(({ document }) => this.revealTail(document)),
    ];
  }

  private opened(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== OUTPUT_SCHEME) return;
    const id = new URLSearchParams(doc.uri.query).get('id');
    if (!id) return;
    const docs = this.open.get(id) ?? new Set<string>();
    docs.add(doc.uri.toString());
    this.open.set(id, docs);
  }

  private closed(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    this.states.delete(key);
    this.dirty.delete(key);
    this.mtimes.delete(key);
    this.following.delete(key);
    if (doc.uri.scheme !== OUTPUT_SCHEME) return;
    const id = new URLSearchParams(doc.uri.query).get('id') ?? '';
    const docs = this.open.get(id);
    docs?.delete(key);
    if (docs?.size === 0) this.open.delete(id);
  }

  private flush(): void {
    this.timer = undefined;
    const events: vscode.FileChangeEvent[] = [];
    for (const key of this.dirty) {
      const atBottom = vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key && isAtBottom(e));
      if (atBottom.length) this.following.set(key, atBottom);
      this.touched(key);
      events.push({ type: vscode.FileChangeType.Changed, uri: vscode.Uri.parse(key) });
    }
    this.dirty.clear();
    if (events.length) this.changed.fire(events);
  }

  private touched(key: string): void {
    this.mtimes.set(key, Math.max(Date.now(), (this.mtimes.get(key) ?? 0) + 1));
  }

  /** Follows the tail for readers who were at the bottom, once VS Code has read the new text. */
  private revealTail(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const editors = this.following.get(key);
    if (!editors) return;
    this.following.delete(key);
    const end = document.lineAt(document.lineCount - 1).range.end;
    for (const editor of editors) editor.revealRange(new vscode.Range(end, end), vscode.TextEditorRevealType.Default);
  }

  // The read-only file system: a document is one file; nothing can be written, made or removed.
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => {});
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    await this.ready;
    const key = uri.toString();
    if (!this.mtimes.has(key)) this.touched(key);
    return { type: vscode.FileType.File, ctime: 0, mtime: this.mtimes.get(key)!, size: Buffer.byteLength(this.content(uri)), permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    await this.ready;
    return Buffer.from(this.content(uri));
  }

  readDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Agent output is read-only.');
  }

  createDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Agent output is read-only.');
  }

  writeFile(): never {
    throw vscode.FileSystemError.NoPermissions('Agent output is read-only.');
  }

  delete(): never {
    throw vscode.FileSystemError.NoPermissions('Agent output is read-only.');
  }

  rename(): never {
    throw vscode.FileSystemError.NoPermissions('Agent output is read-only.');
  }

  /** The document's text now (readable lines are built incrementally per document). */
  private content(uri: vscode.Uri): string {
    const params = new URLSearchParams(uri.query);
    const id = params.get('id') ?? '';
    const registry = this.registry;
    if (!registry) return 'Switchboard has no state folder open; see the Switchboard log for why.';
    let run: RunRecord;
    try {
      run = registry.resolve(id);
    } catch {
      return `Run ${id} is no longer in the list (it was removed, or its logs expired).`;
    }
    const header = [`${run.name} · ${run.runner} · ${run.status}${run.lastError && run.status !== 'done' ? ` — ${run.lastError}` : ''}`, `prompt: ${run.prompt}`, ''];
    // Raw: the bytes as printed; a plain-text runner's readable output is its redacted copy, without the colour codes an editor cannot draw.
    if (params.get('raw') === '1') return [...header, registry.tail(run.id, RAW_TAIL_BYTES, { redacted: false })].join('\n');
    if (!getRunner(run.runner).structured) return plainText([...header, registry.tail(run.id, RAW_TAIL_BYTES, { redacted: true })].join('\n'));
    const state = this.readableLines(uri.toString(), run);
    const dropped = state.dropped > 0 ? [`… ${state.dropped} earlier lines are in the full log (Show Agent Raw Output).`] : [];
    return [...header, ...dropped, ...state.lines].join('\n');
  }

  private readableLines(key: string, run: RunRecord): DocState {
    const state = this.states.get(key) ?? { lines: [], lastSeq: 0, dropped: 0 };
    this.states.set(key, state);
    for (const event of this.registry!.events(run.id, state.lastSeq)) {
      state.lastSeq = event.seq;
      state.lines.push(...renderEvent(event));
    }
    if (state.lines.length > MAX_LINES) {
      const extra = state.lines.length - MAX_LINES;
      state.lines.splice(0, extra);
      state.dropped += extra;
    }
    return state;
  }

}

function isAtBottom(editor: vscode.TextEditor): boolean {
  const last = editor.visibleRanges.at(-1);
  return !last || last.end.line >= editor.document.lineCount - 3;
}
