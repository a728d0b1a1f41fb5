/**
 * The fault suite of issue 16, as one script that prints what matters: runs lost, runs stuck,
 * corrupt records, processes left behind and wrong kills — each must be 0. The faults: supervisor
 * hosts killed with SIGKILL at random moments of launches and of 5 MB writes, records of live and
 * finished runs truncated or overwritten with garbage, agents that ignore SIGTERM/SIGINT and agents
 * that daemonise (double fork and setsid), all over one state folder, with an unrelated process
 * beside them that must survive. The integration tests (faults, diskFull, burst) check each fault
 * on its own in CI; this runs many of them together: `node --import tsx bench/faults.ts [rounds]`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isSameProcessAlive, processesMarked, processEntry, startTokenOf } from '../src/core/proc/processTable';
import { RUN_ID_ENV } from '../src/core/runs/runMarker';
import { isFinished, type RunRecord } from '../src/core/runs/types';
import { StateMap } from '../src/core/state/stateMap';
import { fakeCommand, supervisorHostPids, until } from '../test/support/harness';
import { openRegistry, runBench, SUPERVISOR } from './support';
import { mergeConfig } from '../src/core/config';
import { RunRegistry } from '../src/core/registry/registry';

const ROUNDS = Number(process.argv[2] ?? 40);

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

runBench(async () => {
  const registry = await openRegistry();
  const stateDir = registry.stateDir;
  const paths = new StateMap(stateDir);
  // Beside the agents, as another program of the user's would be: nothing Switchboard does may touch it.
  const bystander = spawn('sleep', ['3600'], { detached: true, stdio: 'ignore' });
  const bystanderId = { pid: bystander.pid!, startToken: startTokenOf(bystander.pid!)! };
  const started: string[] = [];
  const faults = { hostKills: 0, truncated: 0, garbage: 0 };

  const commands = [
    fakeCommand('--sleep', '30000'),
    fakeCommand('--flood', String(5 * 1024 * 1024), '--sleep', '30000'),
    fakeCommand('--ignore-term', '--sleep', '30000'),
    `bash -c '(setsid bash -c "sleep 3601 & wait" &); sleep 3600' {prompt}`,
  ];
  for (let round = 0; round < ROUNDS; round++) {
    const launching = registry.run({ runner: 'custom', prompt: `round ${round}`, command: commands[round % commands.length]! }).then(
      (run) => run.id,
      (error: { details?: { id?: string } }) => error.details?.id,
    );
    // A host killed at a random moment: before, during or after the launch, or while the agent writes.
    await pause(Math.random() * 500);
    if (round % 2 === 0) {
      for (const pid of supervisorHostPids(stateDir)) process.kill(pid, 'SIGKILL');
      faults.hostKills++;
    }
    const id = await launching;
    if (id) started.push(id);
    // Records of live and of finished runs broken by hand.
    const victim = started[Math.floor(Math.random() * started.length)];
    if (victim && round % 5 === 1) {
      fs.truncateSync(paths.run(victim).record, 13);
      faults.truncated++;
    } else if (victim && round % 5 === 3) {
      fs.writeFileSync(paths.run(victim).record, '\0\0garbage{');
      faults.garbage++;
    }
  }

  // Every run is asked to stop (as Kill All would), and given time to settle.
  const settleStart = Date.now();
  const all = (): RunRecord[] => registry.list();
  for (const run of all()) if (!isFinished(run.status)) await registry.kill(run.id, { source: 'the fault suite' }).catch(() => undefined);
  await until(() => all().every((r) => isFinished(r.status)), 30_000, 'every run to settle').catch(() => undefined);
  await pause(1500);

  // What a process opening the folder afterwards finds (corrupt records it meets are set aside and rebuilt).
  let corrupt = 0;
  for (const id of fs.readdirSync(paths.runs)) {
    try {
      JSON.parse(fs.readFileSync(paths.run(id).record, 'utf8'));
    } catch {
      corrupt++; // Looked at without setting it aside: the next process must meet it as it is.
    }
  }
  const later = await RunRegistry.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
  const seen = later.list();
  const lost = started.filter((id) => !seen.some((r) => r.id === id)).length;
  const stuck = seen.filter((r) => !isFinished(r.status)).length;
  const unknown = seen.filter((r) => r.name.startsWith('unknown-')).length;
  later.dispose();
  const leftBehind = started.flatMap((id) => processesMarked(RUN_ID_ENV, id)).length;
  const wrongKills = isSameProcessAlive(bystanderId) && processEntry(bystander.pid!) ? 0 : 1;
  bystander.kill('SIGKILL');

  console.log(
    `faults: ${ROUNDS} launches (agents that sleep, flood 5 MB, ignore SIGTERM, daemonise), ${faults.hostKills} hosts killed with SIGKILL at random moments, ` +
      `${faults.truncated} records truncated and ${faults.garbage} overwritten with garbage; settled in ${((Date.now() - settleStart) / 1000).toFixed(1)} s`,
  );
  console.log(`faults: runs lost ${lost} | runs stuck ${stuck} | corrupt records found ${corrupt} (set aside and rebuilt, ${unknown} of them without their name) | processes left behind ${leftBehind} | wrong kills ${wrongKills}   (lost, stuck, left behind and wrong kills must be 0)`);
});
