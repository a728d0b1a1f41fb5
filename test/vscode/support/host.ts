/**
 * What the in-host tests share: the Switchboard extension's API (its views, status bar item, panels
 * and log), its language model tools, scripted agents started through them, and waiting for a condition.
 * Runs inside the extension host: `vscode` is the real API.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SwitchboardApi } from '../../../src/extension';
import type { RunRecord } from '../../../src/core/runs/types';
import type { LogLine } from '../../../src/vscode/logChannel';
import { fakeCommand, pidAlive } from '../../support/harness';
import { DIALOG_ANSWER, DIALOG_REQUEST, readJson, writeJsonWhole, type DialogAnswer, type DialogRequest } from './dialogs';

export const EXTENSION_ID = 'switchboard-dev.switchboard';

/** The activated extension's API. */
export async function switchboard(): Promise<SwitchboardApi> {
  const extension = vscode.extensions.getExtension<SwitchboardApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this VS Code`);
  return extension.isActive ? extension.exports : extension.activate();
}

/** The workspace folder the suite was opened on (a git repository with one commit). */
export function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the in-host suite needs a workspace folder');
  return folder;
}

/** Polls `check` (generously: agents start slowly on a loaded machine) until it returns something other than undefined/false, or fails naming `what` (asked at the end). */
export async function eventually<T>(what: string | (() => string), check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Invokes one of Switchboard's language model tools as any extension would, and returns its text. */
export async function invokeTool(name: string, input: Record<string, unknown>): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

/** A tool's structured answer: the JSON on the line after its summary. */
export function structuredOf<T>(text: string): T {
  assert.ok(!text.startsWith('Error'), text);
  return JSON.parse(text.slice(text.indexOf('\n') + 1)) as T;
}

/** Starts the scripted agent (test/fixtures/fakeAgent.mjs with these options) through the run_agent tool. */
export async function startAgent(prompt: string, ...fakeArgs: string[]): Promise<{ id: string; name: string }> {
  return structuredOf(await invokeTool('switchboard_run_agent', { runner: 'custom', prompt, command: fakeCommand(...fakeArgs) }));
}

/** The Agents view's run rows (the Comparisons node, when there is one, left out; the rows under Older Runs included). */
export function runRows(agents: SwitchboardApi['agents']): RunRecord[] {
  const top = agents.getChildren();
  // The extension's own node object (this suite is bundled apart from it): found by its kind.
  const older = top.find((node) => 'kind' in node && node.kind === 'older');
  return [...top, ...(older ? agents.getChildren(older) : [])].filter((node): node is RunRecord => !('kind' in node));
}

/** The Agents view's row of a run, once `ready` holds for its record. */
export async function agentRow(id: string, ready: (run: RunRecord) => boolean = () => true, timeoutMs?: number): Promise<{ run: RunRecord; item: vscode.TreeItem }> {
  const { agents } = await switchboard();
  let last = 'not listed';
  return eventually(() => `the Agents row of ${id} (last seen: ${last})`, () => {
    const run = runRows(agents).find((r) => r.id === id);
    if (run) last = `${run.status}${run.lastError ? `, ${run.lastError}` : ''}`;
    return run && ready(run) ? { run, item: agents.getTreeItem(run) } : undefined;
  }, timeoutMs);
}

/** A tree item's icon as `id` or `id/colour`. */
export function iconOf(item: vscode.TreeItem): string {
  const icon = item.iconPath;
  assert.ok(icon instanceof vscode.ThemeIcon, `the row "${String(item.label)}" has no theme icon`);
  return icon.color ? `${icon.id}/${icon.color.id}` : icon.id;
}

/** The text of an open document with this scheme, once `ready` holds for it. */
export async function documentText(scheme: string, ready: (text: string) => boolean, timeoutMs?: number): Promise<{ uri: vscode.Uri; text: string }> {
  return eventually(`a ${scheme} document`, () => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === scheme && ready(d.getText()));
    return doc && { uri: doc.uri, text: doc.getText() };
  }, timeoutMs);
}

/** Closes every editor, so the next test finds only what it opened. */
export async function closeEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Kills, through the Kill Agent command, every run still going (a test's leftovers). */
export async function killRunning(): Promise<void> {
  const { agents } = await switchboard();
  for (const run of runRows(agents).filter((r) => r.status === 'running' || r.status === 'queued')) {
    await vscode.commands.executeCommand('switchboard.killAgent', run);
  }
}

/** The lines Switchboard logs from now on (a command's error is logged as `[commands] <id>: <what it shows>`), until disposed. */
export async function logLines(): Promise<{ lines: LogLine[] } & vscode.Disposable> {
  const lines: LogLine[] = [];
  const listening = (await switchboard()).log((line) => lines.push(line));
  return { lines, dispose: () => listening.dispose() };
}

/** Runs `command` and returns the error it logged and showed (failing when it showed none). */
export async function errorShownBy(command: string, ...args: unknown[]): Promise<string> {
  const log = await logLines();
  try {
    await vscode.commands.executeCommand(command, ...args);
    const prefix = `[commands] ${command}: `;
    const error = log.lines.find((l) => l.level === 'error' && l.message.startsWith(prefix));
    assert.ok(error, `${command} showed no error (logged: ${log.lines.map((l) => l.message).join(' | ') || 'nothing'})`);
    return error.message.slice(prefix.length);
  } finally {
    log.dispose();
  }
}

/** The state folder the extension uses (the harness sets it for the window). */
export function stateDir(): string {
  const dir = vscode.workspace.getConfiguration('switchboard').get<string>('stateDirectory');
  assert.ok(dir, 'the in-host suite needs switchboard.stateDirectory set');
  return dir;
}

/** Whether the harness outside answers modal dialogs (test/inhost does; a desktop VS Code run does not). */
export const dialogsAnswered = (): boolean => !!process.env.SWITCHBOARD_INHOST_DIALOGS;

/** Has the next modal dialog answered with `button` by the harness outside (support/dialogs.ts); resolves with the dialog's text. */
export async function answerNextDialog(button: string): Promise<string> {
  const dir = process.env.SWITCHBOARD_INHOST_DIALOGS;
  assert.ok(dir, 'no harness answers dialogs here (SWITCHBOARD_INHOST_DIALOGS is not set)');
  const file = path.join(dir, DIALOG_ANSWER);
  fs.rmSync(file, { force: true });
  writeJsonWhole(path.join(dir, DIALOG_REQUEST), { button } satisfies DialogRequest);
  const answer = await eventually(`the harness to answer the dialog with "${button}"`, () => readJson<DialogAnswer>(file));
  fs.rmSync(file);
  if ('error' in answer) throw new Error(answer.error);
  return answer.text;
}

/** `pid` and its descendants, from /proc (Linux). */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command's ")" are: state, ppid, ...
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended while listed
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

/** The scripted team worker's processes (teamWorker.mjs and the gitWorker.mjs it starts) once both are up: a kill of the agent alone would leave the second. */
export const workerTree = (pid: number): Promise<number[]> =>
  eventually(() => `the worker's process tree under ${pid} (${processTree(pid).join(', ')})`, () => {
    const pids = processTree(pid);
    return pids.length >= 2 && pids;
  });

/** Resolves once every process of `tree` has ended. */
export const treeGone = (tree: number[]): Promise<true> => eventually(() => `the worker's processes to be gone (alive: ${tree.filter(pidAlive).join(', ')})`, () => !tree.some(pidAlive));
