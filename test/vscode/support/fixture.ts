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
import { teamWorkerCommand } from '../../e2e/support/teamsView';
import { agentCliBinary } from '../../support/agentClis';

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
}

export function inHostFixture(): InHostFixture {
  const workspace = makeRepo({ 'README.md': '# a project for the in-host tests\n' });
  const resultsFile = path.join(tempDir('sb-inhost-results-'), 'results.json');
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
      // Only the in-host tests whose titles match (for working on a few).
      ...(process.env.SWITCHBOARD_INHOST_GREP ? { SWITCHBOARD_INHOST_GREP: process.env.SWITCHBOARD_INHOST_GREP } : {}),
    },
    resultsFile,
  };
}

/** Builds out/inhost-extension (the bundled suite and its extension). */
export function buildInhost(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'buildInhost.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

/** Reads the results once the suite has written them. */
export function readResults<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // not written yet, or half written
  }
}
