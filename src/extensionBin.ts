/**
 * The extension's entry (dist/extension.js, package.json "main"): runs the extension bundle
 * (dist/extensionBundle.js, built from extension.ts) from a V8 code cache (see codeCache.ts), so that
 * activation does not wait for VS Code to parse 1.5 MB of JavaScript, and hands `activate` the time
 * the load took (logged, and read by bench/historyView.ts).
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { runBundle } from './codeCache';
import type { LoadTimes } from './vscode/loadTimes';

const loadStart = Date.now();
// The cache is written once activation and the first rows are done (a few seconds), so that it holds
// the functions they compiled too.
const bundle = runBundle(path.join(__dirname, 'extensionBundle.js'), 'extension', { saveAfterMs: 3000 }) as {
  activate(context: vscode.ExtensionContext, load?: LoadTimes): Promise<unknown>;
  deactivate(): Promise<void>;
};
const load: LoadTimes = { start: loadStart, end: Date.now() };

export const activate = (context: vscode.ExtensionContext): Promise<unknown> => bundle.activate(context, load);
export const deactivate = (): Promise<void> => bundle.deactivate();
