/** A goal run by a process of its own (`switchboard goal create`), for the tests of what outlives that process. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeRepo } from './gitRepo';
import { CLI, pidAlive, tempDir, until, type Harness } from './harness';

/** A tasks file (`--tasks`) holding `tasks`. */
export function writeTasks(tasks: object[]): string {
  const file = path.join(tempDir('sb-goal-tasks-'), 'work.tasks.json');
  fs.writeFileSync(file, JSON.stringify(tasks));
  return file;
}

/**
 * `goal create <objective>` (one task, a gate that passes, the runner of the state folder's config
 * unless `extra` names one) in a process of its own, SIGKILLed once the goal's run is going: the goal's id.
 */
export async function goalKilledMidRun(h: Harness, objective: string, extra: string[] = []): Promise<string> {
  const runner = extra.includes('--runner') ? [] : ['--runner', 'custom'];
  const owner = spawn(process.execPath, [CLI, 'goal', 'create', objective, '--cwd', makeRepo(), ...runner, '--gate', 'ok=true', ...extra, '--tasks', writeTasks([{ title: 'slow' }])], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir }, stdio: 'ignore' });
  let id = '';
  await until(() => {
    const dir = path.join(h.stateDir, 'goals');
    id = fs.existsSync(dir) ? (fs.readdirSync(dir)[0] ?? '') : '';
    return !!id && h.registry.list({ goal: id }).some((r) => r.status === 'running');
  }, 20_000, 'the goal to run in the other process');
  owner.kill('SIGKILL');
  await until(() => !pidAlive(owner.pid!), 5000, 'the owner to die');
  return id;
}
