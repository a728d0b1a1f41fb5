/** The packaged extension and the settings it needs, for the real-VS-Code suite and the view benchmark. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './codeServer';

/** Builds the production bundles and packages out/switchboard-<version>.vsix; returns its path. */
export function packageVsix(): string {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'packageVsix.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return path.join(REPO_ROOT, 'out', `switchboard-${version}.vsix`);
}

/**
 * code-server is a remote window: settings scoped to the machine (the state folder, binary paths)
 * are read from the remote machine's settings, not the user's.
 */
export function writeMachineSettings(userDataDir: string, settings: Record<string, unknown>): void {
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
}
