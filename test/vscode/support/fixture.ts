/**
 * Outside the host: what a VS Code running the in-host suite is opened on, the same for code-server
 * (test/inhost) and a desktop VS Code (scripts/testVscode.ts): a git repository as the workspace,
 * the scripted team worker as the custom runner, the pinned Claude Code, and the environment that tells the suite where the
 * repository, a Node for scripted agents and the results file are.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tempDir } from '../../support/harness';
import { makeRepo } from '../../support/gitRepo';
import type { Page } from 'playwright-core';
import { answerDialog, teamWorkerCommand } from '../../e2e/support/teamsView';
import { agentCliBinary } from '../../support/agentClis';
import { DIALOG_ANSWER, DIALOG_REQUEST, readJson, writeJsonWhole, type DialogAnswer, type DialogRequest } from './dialogs';

/** The built suite and its test-only extension (scripts/buildInhost.mjs). */
export const INHOST_EXTENSION = path.join(ROOT, 'out', 'inhost-extension');
/** The scripted language model, so that the chat participant runs (see test/vscode/chat.test.ts). */
export const SCRIPTED_MODEL = path.join(ROOT, 'test', 'e2e', 'support', 'scriptedModel');

export interface InHostFixture {
  workspace: string;
  /** Switchboard's settings, the state folder aside (each runner sets its own). */
  settings: Record<string, unknown>;
  env: Record<string, string>;
  /** Where the suite writes its results (InHostResults of test/vscode/index.ts). */
  resultsFile: string;
  /** Where an in-host test asks for a modal dialog to be answered, and reads the answer (see answerDialogAsked). */
  dialogs: string;
}


export function inHostFixture(): InHostFixture {
  const workspace = makeRepo({ 'README.md': '# a project for the in-host tests\n' });
  const resultsFile = path.join(tempDir('sb-inhost-results-'), 'results.json');
  const dialogs = tempDir('sb-inhost-dialogs-');
  return {
    workspace,
    settings: {
      // Team workers commit <task>.txt in their worktree; a task titled "(sleep N)" takes N ms.
      'switchboard.runners.custom.command': teamWorkerCommand(),
      // The pinned Claude Code, for Doctor's row (no run of it goes to a model here).
      'switchboard.runners.claude.path': agentCliBinary('claude'),
      'switchboard.killGraceSeconds': 2,
      'switchboard.notifications.onRunFinished': 'never',
    },
    env: {
      SWITCHBOARD_TEST_ROOT: ROOT,
      SWITCHBOARD_TEST_NODE: process.execPath,
      SWITCHBOARD_INHOST_RESULTS: resultsFile,
      SWITCHBOARD_INHOST_DIALOGS: dialogs,
      // Only the in-host tests whose titles match (for working on a few).
      ...(process.env.SWITCHBOARD_INHOST_GREP ? { SWITCHBOARD_INHOST_GREP: process.env.SWITCHBOARD_INHOST_GREP } : {}),
    },
    resultsFile,
    dialogs,
  };
}

/** Answers the modal dialog an in-host test asked about, if one asked (support/dialogs.ts): polled beside the suite. */
export async function answerDialogAsked(dialogs: string, page: Page): Promise<void> {
  const request = readJson<DialogRequest>(path.join(dialogs, DIALOG_REQUEST));
  if (!request) return;
  fs.rmSync(path.join(dialogs, DIALOG_REQUEST));
  let answer: DialogAnswer;
  try {
    answer = { text: await answerDialog(page, request.button) };
  } catch (error) {
    answer = { error: `no dialog with the button "${request.button}" was answered: ${(error as Error).message}` };
  }
  writeJsonWhole(path.join(dialogs, DIALOG_ANSWER), answer);
}

/** Builds out/inhost-extension (the bundled suite and its extension). */
export function buildInhost(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'buildInhost.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

/** Reads the results once the suite has written them. */
export const readResults = readJson;
