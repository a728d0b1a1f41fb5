/** Real git repositories for tests: identity set locally (the global config is never touched), GIT_* variables kept out. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tempDir } from './harness';

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

export const gitIn = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

/** The custom runner's command for the scripted git agent (test/fixtures/gitWorker.mjs) with these arguments, each quoted. */
export function gitWorkerCommand(...args: string[]): string {
  return `'${process.execPath}' '${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}' ${args.map((a) => `'${a}'`).join(' ')} {prompt}`;
}

/** A repository with one commit on main holding `files`. */
export function makeRepo(files: Record<string, string> = { 'README.md': 'hello\n' }): string {
  const dir = tempDir('sb-git-');
  gitIn(dir, 'init', '-q', '-b', 'main');
  gitIn(dir, 'config', 'user.name', 'Switchboard Test');
  gitIn(dir, 'config', 'user.email', 'test@switchboard.invalid');
  gitIn(dir, 'config', 'commit.gpgsign', 'false');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  gitIn(dir, 'add', '-A');
  gitIn(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}
