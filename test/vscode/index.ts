/**
 * The in-host suite's entry, in the standard shape: the extension host loads this bundle
 * (out/inhost-extension/suite.js, built by scripts/buildInhost.mjs) and calls `run()`, which runs
 * every test/vscode/*.test.ts with mocha inside the host, next to the real Switchboard extension.
 * `@vscode/test-electron` calls it as the extensionTestsPath (npm run test:vscode); here the helper
 * extension in test/vscode/host calls it inside code-server (test/inhost). With
 * SWITCHBOARD_INHOST_RESULTS set, each test's outcome is also written there as JSON.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';

export interface InHostResult {
  /** The suite titles and the test's, from the outermost. */
  titlePath: string[];
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface InHostResults {
  results: InHostResult[];
  /** Set when the suite itself could not run (a failing require, a crash). */
  error?: string;
  durationMs: number;
}

/** The test files, required in order once mocha's globals (describe, it, ...) are in place. */
function loadTests(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- bundled: each test file is required once its globals exist */
  require('./commands.test');
  require('./agents.test');
  require('./lmTools.test');
  require('./teams.test');
  require('./goals.test');
  require('./chat.test');
  require('./panels.test');
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const errorText = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/** Runs the suite; resolves when every test passed, rejects naming the failures otherwise. */
export async function run(): Promise<void> {
  const started = Date.now();
  const results: InHostResult[] = [];
  const write = (error?: string): void => {
    const file = process.env.SWITCHBOARD_INHOST_RESULTS;
    const answer: InHostResults = { results, durationMs: Date.now() - started, ...(error ? { error } : {}) };
    if (file) fs.writeFileSync(file, JSON.stringify(answer, null, 2));
  };
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, reporter: 'spec' });
  const grep = process.env.SWITCHBOARD_INHOST_GREP;
  if (grep) mocha.grep(grep);
  try {
    mocha.suite.emit('pre-require', globalThis, 'test/vscode', mocha);
    loadTests();
  } catch (error) {
    write(`the in-host suite did not load: ${errorText(error)}`);
    throw error;
  }
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    const add = (test: Mocha.Test, state: InHostResult['state'], error?: unknown): void => {
      results.push({ titlePath: test.titlePath(), state, durationMs: test.duration ?? 0, ...(error ? { error: errorText(error) } : {}) });
    };
    runner.on('pass', (test) => add(test, 'passed'));
    runner.on('pending', (test) => add(test, 'pending'));
    // A failing hook is reported as a failure of the hook's "test" (its title says which hook).
    runner.on('fail', (test, error) => add(test as Mocha.Test, 'failed', error));
  });
  write();
  if (failures > 0) {
    const failed = results.filter((r) => r.state === 'failed').map((r) => `${r.titlePath.join(' › ')}: ${r.error?.split('\n')[0]}`);
    throw new Error(`${failures} in-host test${failures === 1 ? '' : 's'} failed:\n${failed.join('\n')}`);
  }
}
