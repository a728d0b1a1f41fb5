/**
 * Taking over a container run whose supervisor died (its host was killed): the container runs on,
 * so a new supervisor is made from the plan the first one kept (without the prompt). Only one host
 * takes it: the claim is a folder named after the dead supervisor, made once.
 */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import type { Journal } from '../feed/journal';
import { isSameProcessAlive } from '../proc/processTable';
import { readRecord } from '../runs/recordFile';
import { StateMap } from '../state/stateMap';
import { readPlan } from './plan';
import { Supervisor } from './supervisor';

export function adoptContainerRun(stateDir: string, runId: string, env: Record<string, string>, journal: Journal): Supervisor {
  const map = new StateMap(stateDir);
  const paths = map.run(runId);
  const read = readRecord(paths);
  if (read.kind !== 'ok') throw new SwitchboardError('internal', `the run record in ${paths.dir} could not be read (${read.kind})`);
  const record = read.value;
  if (record.status !== 'running' || !record.container) throw new SwitchboardError('invalid_argument', `run ${runId} is not a running container run`);
  if (record.supervisor && isSameProcessAlive(record.supervisor)) throw new SwitchboardError('invalid_argument', `run ${runId} has a live supervisor`);
  const claim = map.adoptClaim(runId, `${record.supervisor?.pid ?? 0}-${(record.supervisor?.startToken ?? 'none').replace(/[^\w-]/g, '_')}`);
  try {
    fs.mkdirSync(claim, { mode: 0o700 });
  } catch {
    throw new SwitchboardError('invalid_argument', `run ${runId} is being taken over by another supervisor host`);
  }
  const plan = readPlan(paths.containerPlan);
  return new Supervisor(plan, record, env, journal);
}
