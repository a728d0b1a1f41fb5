/**
 * What a supervisor is asked to do, written by the registry to `<run>/plan.json` when the run is
 * recorded (before it is admitted). Environment values are never written here: they travel in the
 * process env. A run is started once: whoever removes the plan has it (the host that starts it, or
 * a kill while it waits in line), see takePlan and dropPlan.
 */
import * as fs from 'node:fs';
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


/** Not fsynced: the plan lives only until the supervisor host has taken it (or the run ended in line). */
export function writePlan(file: string, plan: SupervisorPlan): void {
  writeJsonAtomic(file, plan, { durable: false });
}

export function readPlan(file: string): SupervisorPlan {
  const read = readJsonFile<SupervisorPlan>(file, (v) =>
    (v as SupervisorPlan | null)?.version === 1 ? undefined : 'not a version 1 plan',
  );
  if (read.kind === 'missing') throw new Error(`cannot read the supervisor plan ${file}: missing`);
  if (read.kind === 'corrupt') {
    // Not kept, as other corrupt files are: a plan holds the prompt and command line unredacted (the run's record keeps them redacted).
    fs.rmSync(read.setAsideAs, { recursive: true, force: true });
    throw new Error(`cannot read the supervisor plan ${file}: it was corrupt (${read.reason}), and was removed, as it may hold secrets`);
  }
  return read.value;
}

/** Removes the plan; true when this caller removed it (so nobody else can start the run), false when it was gone. */
export function dropPlan(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Reads the plan and removes it, in one claim: undefined when another (a host, a kill) took it first. */
export function takePlan(file: string): SupervisorPlan | undefined {
  if (!fs.existsSync(file)) return undefined;
  const plan = readPlan(file);
  // Of several takers that read it, the one whose unlink succeeds has it.
  return dropPlan(file) ? plan : undefined;
}
