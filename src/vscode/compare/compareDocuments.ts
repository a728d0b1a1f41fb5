/**
 * Comparisons as read-only Markdown documents (`switchboard-compare:/<id>.md`) that fill in live:
 * made again when the live feed tells of the comparison (any process's: a run of it ended, its gates
 * ran) and, at most once a second, when one of its runs moves (time, tokens). Each contender's
 * heading carries its actions as code lenses: Open Diff, Merge… and Remove Worktree… once its run
 * has ended, Show Output.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { compareKey } from '../../core/feed/feedEvent';
import { RenewableStore } from '../../core/lifecycle';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import { ReadonlyDocuments } from '../teams/readonlyDocuments';
import { compareDocument, type ContenderSection } from './compareDocumentText';

export const COMPARE_SCHEME = 'switchboard-compare';

const idOf = (uri: vscode.Uri): string => uri.path.replace(/^\//, '').replace(/\.md$/, '');

export class CompareDocuments extends ReadonlyDocuments implements vscode.CodeLensProvider {
  /** The contenders' sections of each document as last made. */
  private readonly sections = new Map<string, ContenderSection[]>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** The listeners on the current Switchboard. */
  private readonly following = new RenewableStore();

  constructor(private readonly slot: SwitchboardSlot) {
    super(COMPARE_SCHEME);
    this.register(this.lensesChanged);
    this.register(slot.onDidChange((sb) => this.followSwitchboard(sb)));
    this.register(this.following);
    this.register(vscode.workspace.onDidCloseTextDocument((doc) => this.sections.delete(doc.uri.toString())));
  }

  static uri(id: string): vscode.Uri {
    return vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${id}.md` });
  }

  private followSwitchboard(sb: Switchboard | undefined): void {
    const listeners = this.following.renew();
    this.invalidate(this.openUris());
    if (!sb) return;
    [
      sb.feed.onDidAppend((event) => {
        if (!event.key.startsWith('compare:')) return;
        this.invalidate(this.openUris().filter((uri) => compareKey(idOf(uri)) === event.key));
      }),
      sb.runs.onDidChange(({ run }) => {
        const compare = run.links.compare;
        if (compare) this.follow(this.openUris().filter((uri) => idOf(uri) === compare));
      }),
    ].forEach((listener) => listeners.add(listener));
  }

  protected async make(uri: vscode.Uri): Promise<string> {
    const id = idOf(uri);
    try {
      const compares = this.slot.require().compares;
      // Counting each running contender's changes asks git for its worktree's tree: left until they end.
      const view = await compares.view(id, { diffs: compares.get(id).status !== 'running' });
      const made = compareDocument(view);
      this.sections.set(uri.toString(), made.sections);
      this.lensesChanged.fire();
      return made.text;
    } catch (error) {
      this.sections.delete(uri.toString());
      return `Comparison ${id}: ${errorMessage(error)}\n`;
    }
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const sections = this.sections.get(document.uri.toString()) ?? [];
    return sections.flatMap((s) => {
      if (!s.runId || s.line >= document.lineCount) return [];
      const range = new vscode.Range(s.line, 0, s.line, 0);
      const run = { id: s.runId };
      const lens = (title: string, command: string): vscode.CodeLens => new vscode.CodeLens(range, { title, command, arguments: [run], tooltip: `${title.replace(/^\$\([\w-]+\) /, '')} ${s.name ?? s.runId}` });
      return [
        lens('$(diff) Open Diff', 'switchboard.openRunDiff'),
        ...(s.ended ? [lens('$(git-merge) Merge…', 'switchboard.mergeRun')] : []),
        lens('$(output) Show Output', 'switchboard.showAgentOutput'),
        ...(s.ended ? [lens('$(trash) Remove Worktree…', 'switchboard.removeRunWorktree')] : []),
      ];
    });
  }
}

/** Opens a comparison's document as Markdown, in a tab of its own. */
export async function openCompareDocument(id: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(CompareDocuments.uri(id));
  await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  await vscode.window.showTextDocument(doc, { preview: false });
}
