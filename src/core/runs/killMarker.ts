/**
 * A run's kill marker (`kill.json` in its folder): written by a process that kills a run's agent
 * itself because the run's supervisor could not be reached, before it signals the agent. The
 * supervisor, if it still lives, finds it when the agent dies and records the run killed as that
 * process said, rather than failed; readers of a record put the kill back if it did not
 * (registry/killMarkers.ts).
 */
import * as fs from 'node:fs';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import type { RunPaths } from '../state/stateMap';

export interface KillMarker {
  /** The run's reason, as its record is to say it: `killed by mcp:claude-code`. */
  reason: string;
  at: number;
}

export function writeKillMarker(paths: RunPaths, reason: string): void {
  writeJsonAtomic(paths.killMarker, { reason, at: Date.now() } satisfies KillMarker);
}

/** The run's kill marker, if it has one (one that cannot be read counts as none). */
export function readKillMarker(paths: RunPaths): KillMarker | undefined {
  // Asked of every finished run when a folder opens, and almost never there: a failed open (an exception) costs ten times more.
  if (!fs.existsSync(paths.killMarker)) return undefined;
  try {
    const read = readJsonFile<KillMarker>(paths.killMarker, (v) => (typeof (v as KillMarker | null)?.reason === 'string' ? undefined : 'no reason'));
    return read.kind === 'ok' ? read.value : undefined;
  } catch {
    return undefined;
  }
}
