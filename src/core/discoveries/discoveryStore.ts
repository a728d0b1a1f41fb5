/**
 * Discoveries as they are kept on disk: one document per goal (`goals/<goal>/discoveries.json`) or
 * team (`teams/<team>/discoveries.json`), changed only under its lock (any process may report one:
 * an MCP server, the process running the team) and written atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { withFileLock } from '../feed/fileLock';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';

export const DISCOVERY_STATUSES = ['pending', 'promoted', 'dismissed'] as const;
export type DiscoveryStatus = (typeof DISCOVERY_STATUSES)[number];

/** What a discovery belongs to: a goal, or a team that is not a goal's. */
export type DiscoveryOwner = { goal: string } | { team: string };

export interface Discovery {
  /** `DSC-001`, `DSC-002`… within its goal or team. */
  id: string;
  title: string;
  description: string;
  /** The task it came up in. */
  sourceTaskId?: string;
  /** The run that reported it. */
  sourceRun?: string;
  status: DiscoveryStatus;
  /** Why it was dismissed. */
  reason?: string;
  createdAt: number;
  updatedAt: number;
  goal?: string;
  team?: string;
  /** The task it became, once promoted. */
  promotedTask?: string;
  /** How it came: `mcp` (report_discovery) or `output` (a fenced block in the agent's text). */
  via: 'mcp' | 'output';
  /** A fenced block's fingerprint, so that a block is recognised once per run. */
  fingerprint?: string;
}

interface DiscoveryFile {
  version: 1;
  discoveries: Discovery[];
}

const ID = /^DSC-(\d+)$/;

export const ownerOf = (d: Pick<Discovery, 'goal' | 'team'>): DiscoveryOwner => (d.goal ? { goal: d.goal } : { team: d.team! });
export const ownerName = (owner: DiscoveryOwner): string => ('goal' in owner ? owner.goal : owner.team);
export const describeOwner = (owner: DiscoveryOwner): string => ('goal' in owner ? `goal ${owner.goal}` : `team ${owner.team}`);

/** The next free id: one more than the highest so far. */
export function nextDiscoveryId(discoveries: readonly Discovery[]): string {
  const highest = Math.max(0, ...discoveries.map((d) => Number(ID.exec(d.id)?.[1] ?? 0)));
  return `DSC-${String(highest + 1).padStart(3, '0')}`;
}

export function isDiscoveryId(id: string): boolean {
  return ID.test(id);
}

/** The discoveries of a goal or team (none yet: empty). A corrupt file is set aside, never lost, and said. */
export function readDiscoveries(stateDir: string, owner: DiscoveryOwner): Discovery[] {
  const read = readJsonFile<DiscoveryFile>(new StateMap(stateDir).discoveries(owner).file, (v) =>
    (v as DiscoveryFile)?.version === 1 && Array.isArray((v as DiscoveryFile).discoveries) ? undefined : 'not a version 1 list of discoveries',
  );
  if (read.kind === 'ok') return read.value.discoveries;
  if (read.kind === 'corrupt') throw new SwitchboardError('invalid_argument', `The discoveries of ${describeOwner(owner)} were corrupt (${read.reason}); the file was set aside as ${read.setAsideAs}.`, 'Its discoveries start afresh; the old ones are in that file.');
  return [];
}

/** Changes the discoveries of a goal or team under their lock (waited for without blocking); what `change` returns is returned. */
export async function changeDiscoveries<T>(stateDir: string, owner: DiscoveryOwner, change: (discoveries: Discovery[]) => T): Promise<T> {
  const paths = new StateMap(stateDir).discoveries(owner);
  if (!fs.existsSync(path.dirname(paths.file))) {
    throw new SwitchboardError('goal' in owner ? 'unknown_goal' : 'unknown_team', `There is no ${describeOwner(owner)}.`);
  }
  return withFileLock(paths.lock, () => {
    let discoveries: Discovery[];
    try {
      discoveries = readDiscoveries(stateDir, owner);
    } catch {
      discoveries = []; // set aside: the list starts afresh
    }
    const result = change(discoveries);
    const doc: DiscoveryFile = { version: 1, discoveries };
    writeJsonAtomic(paths.file, doc);
    return result;
  });
}
