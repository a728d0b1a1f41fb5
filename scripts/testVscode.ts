/**
 * `npm run test:vscode`: the in-host suite (test/vscode) in a desktop VS Code, through
 * `@vscode/test-electron`'s runTests: VS Code VSCODE_VERSION (the VS Code of the pinned code-server)
 * is downloaded into .vscode-test/ once, then started on a scratch workspace with Switchboard
 * (this repository) and the scripted language model as extensions under development, and the suite
 * as the extensionTestsPath. Needs the internet the first time, and a display (xvfb-run on a headless
 * Linux). Without the internet it stops at once saying so: there, `npm test` runs the same suite
 * inside code-server (test/inhost).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { DEFAULT_SETTINGS } from '../test/e2e/support/codeServer';
import { killEverything, removeTempDirs, ROOT, tempDir } from '../test/support/harness';
import { buildInhost, inHostFixture, INHOST_EXTENSION, SCRIPTED_MODEL } from '../test/vscode/support/fixture';

/** The desktop VS Code the suite runs in: the same VS Code as code-server 4.139.1 (scripts/setupVscode.mjs). */
export const VSCODE_VERSION = '1.139.1';
const CACHE = path.join(ROOT, '.vscode-test');
const DOWNLOAD_CHECK_MS = 15_000;

/** VS Code's executable, downloaded once; a clear error when it cannot be (no internet here). */
async function desktopVscode(): Promise<string> {
  const cached = fs.existsSync(CACHE) && fs.readdirSync(CACHE).some((entry) => entry.includes(VSCODE_VERSION));
  if (!cached) {
    try {
      await fetch('https://update.code.visualstudio.com/api/releases/stable', { signal: AbortSignal.timeout(DOWNLOAD_CHECK_MS) });
    } catch (error) {
      throw new Error(
        `cannot download VS Code ${VSCODE_VERSION} from update.code.visualstudio.com (${(error as Error).cause ?? (error as Error).message}). ` +
          '`npm run test:vscode` needs the internet once (then .vscode-test/ has it). Without it, run the same in-host suite inside code-server: ' +
          '`npx mocha --timeout 300000 test/inhost/inhost.test.ts` (part of `npm test`).',
      );
    }
  }
  return downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath: CACHE, timeout: 60_000 });
}

async function main(): Promise<number> {
  const vscodeExecutablePath = await desktopVscode();
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  buildInhost();
  const fixture = inHostFixture();
  const stateDir = tempDir('sb-inhost-state-');
  const userDataDir = tempDir('sb-inhost-user-');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': false, 'switchboard.stateDirectory': stateDir, ...fixture.settings };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  try {
    return await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: [ROOT, SCRIPTED_MODEL],
      extensionTestsPath: path.join(INHOST_EXTENSION, 'suite.js'),
      extensionTestsEnv: fixture.env,
      launchArgs: [fixture.workspace, '--user-data-dir', userDataDir, '--extensions-dir', tempDir('sb-inhost-ext-'), '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    await killEverything(stateDir);
    await removeTempDirs();
  }
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`test:vscode: ${(error as Error).message}`);
    await removeTempDirs();
    process.exit(1);
  },
);
