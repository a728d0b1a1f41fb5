/** The built CLI as a child process, for the CLI tests: its exit code and what it printed. */
import { execFileSync, spawn } from 'node:child_process';
import type { DoctorReport } from '../../src/core/doctor';
import { CLI } from './harness';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `wrapper`: a command the CLI is run under (its arguments, then node and the CLI's are appended). */
export function runCli(home: string, args: string[], env: NodeJS.ProcessEnv = {}, wrapper: string[] = []): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, ...before] = [...wrapper, process.execPath];
    const child = spawn(command!, [...before, CLI, ...args], { env: { ...process.env, ...env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs `work` over `items`, `limit` at a time. */
export async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}

/** The real doctor, from the built CLI (the core's doctor runs execa, which loads only bundled under this test runner). */
export function doctorOf(stateDir: string): Promise<DoctorReport> {
  const json = execFileSync(process.execPath, [CLI, 'doctor', '--format', 'json'], { env: { ...process.env, SWITCHBOARD_HOME: stateDir }, encoding: 'utf8' });
  return Promise.resolve(JSON.parse(json) as DoctorReport);
}
