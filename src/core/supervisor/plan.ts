/**
 * What a supervisor is asked to do, written by the registry to `<run>/plan.json` before the
 * supervisor starts. Environment values are never written here: they travel in the process env.
 */
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import type { PriceTable } from '../pricing';
import type { RedactionConfig } from '../redact';
import type { StartRequest } from '../runners/types';
import type { RunLimits } from '../runs/types';
import type { ContainerPlan } from '../containers/containerPlan';
import type { UsageBaseline } from '../runs/usageMeter';

export interface SupervisorPlan {
  version: 1;
  runId: string;
  stateDir: string;
  runner: string;
  request: StartRequest;
  killGraceMs: number;
  /** The CPU niceness the agent runs at (absent in plans of older versions: the lowest). */
  agentNiceness?: number;
  prices: PriceTable;
  controlSocket: string;
  /**
   * When the run resumes a session earlier runs started: that session's running totals so far,
   * subtracted from the figures the CLI reports as session totals (see UsageMeter).
   */
  usageBaseline?: UsageBaseline;
  limits?: RunLimits;
  /** Config's patterns and literal secrets to redact (the environment's secrets travel in the env). */
  redaction?: RedactionConfig;
  /** The run goes in a container (backend docker or swarm), made so. */
  container?: ContainerPlan;
}


/** Not fsynced: the plan lives only until the supervisor host has read it (and then deletes it). */
export function writePlan(file: string, plan: SupervisorPlan): void {
  writeJsonAtomic(file, plan, { durable: false });
}

export function readPlan(file: string): SupervisorPlan {
  const read = readJsonFile<SupervisorPlan>(file, (v) =>
    (v as SupervisorPlan | null)?.version === 1 ? undefined : 'not a version 1 plan',
  );
  if (read.kind !== 'ok') throw new Error(`cannot read the supervisor plan ${file}: ${read.kind}`);
  return read.value;
}
