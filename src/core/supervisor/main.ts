/**
 * Entry point of the detached supervisor process (`dist/supervisor.js <runDir>`). It tells the
 * process that started it the agent's pid on one stdout line, closes stdout, and then lives for
 * as long as the agent does, independent of its parent.
 */
import { statePaths } from '../paths';
import { readRecord } from '../runs/recordFile';
import { errorMessage, SwitchboardError } from '../errors';
import { readPlan } from './plan';
import { Supervisor } from './supervisor';

export interface Handshake {
  ok: boolean;
  pid?: number;
  error?: { code: string; message: string };
}

function sayOnce(handshake: Handshake): void {
  process.stdout.write(JSON.stringify(handshake) + '\n');
  process.stdout.end();
}

export async function superviseMain(runDir: string): Promise<void> {
  process.on('uncaughtException', (error) => process.stderr.write(`uncaught: ${error.stack ?? error.message}\n`));
  process.on('unhandledRejection', (error) => process.stderr.write(`unhandled rejection: ${String(error)}\n`));
  process.on('SIGHUP', () => {});
  const plan = readPlan(runDir);
  const read = readRecord(statePaths(plan.stateDir).run(plan.runId));
  if (read.kind !== 'ok') {
    sayOnce({ ok: false, error: { code: 'internal', message: `the run record could not be read (${read.kind})` } });
    return;
  }
  const supervisor = new Supervisor(plan, read.value);
  // Someone stopping the supervisor itself means: stop the run too, rather than leave it unwatched.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void supervisor.stopFromSignal(signal));
  }
  try {
    const record = await supervisor.start();
    sayOnce({ ok: true, pid: record.agent?.pid });
  } catch (error) {
    const code = error instanceof SwitchboardError ? error.code : 'spawn_failed';
    sayOnce({ ok: false, error: { code, message: errorMessage(error) } });
  }
  await supervisor.finished;
  await supervisor.close();
  process.exit(0);
}
