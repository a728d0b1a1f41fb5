/**
 * The name a new run gets: the one asked for, when no live run has it, else the first free
 * `<runner>-<n>`. Each is claimed in the state folder (nameClaims.ts), so that processes starting
 * runs at the same moment never give two the same name: an asked-for name is refused while the run
 * holding it lives, and a `<runner>-<n>` is never given twice while its run is listed.
 */
import * as fs from 'node:fs';
import { errorMessage, SwitchboardError } from '../errors';
import type { Logger } from '../logger';
import { isFinished } from '../runs/types';
import { isFinishedOnDisk, statusOnDisk } from '../runs/recordFile';
import type { RunBrief } from '../runs/runBrief';
import { isPlainSegment, StateMap } from '../state/stateMap';
import { NameClaims } from './nameClaims';

/** A run's folder without a record this long after it was made was left by a start that died. */
export const RECORDLESS_MS = 10 * 60_000;

export class RunNames {
  private readonly claims: NameClaims;
  private readonly paths: StateMap;
  /** `<runner>-<n>` names given by this process (its starts overlap): not tried again. */
  private readonly given = new Set<string>();

  /** `briefs`: the runs this process knows (the names of runs made before claims existed are in them). */
  constructor(stateDir: string, private readonly briefs: () => readonly RunBrief[], private readonly log: Logger) {
    this.claims = new NameClaims(stateDir);
    this.paths = new StateMap(stateDir);
  }

  /** Refuses `name` when a live run this process knows has it (before anything is made for the new run). */
  checkWanted(name: string): void {
    const holder = this.briefs().find((r) => r.name === name && !isFinished(r.status));
    if (holder) throw nameTaken(name, holder.id, holder.status);
  }

  /** Claims the name of the new run `id`: `wanted`, or the first free `<runner>-<n>`. */
  async claim(id: string, runner: string, wanted?: string): Promise<string> {
    if (wanted !== undefined) {
      if (await this.claims.claim(wanted, id, (holder) => this.lives(holder))) return wanted;
      const holder = this.claims.holder(wanted) ?? '';
      throw nameTaken(wanted, holder || 'being started', (holder && statusOnDisk(this.paths.run(holder))) || 'starting');
    }
    const known = this.briefs();
    const taken = new Set([...known.map((r) => r.name), ...this.given]);
    let n = known.filter((r) => r.runner === runner).length + 1;
    for (;;) {
      while (taken.has(`${runner}-${n}`)) n++;
      const name = `${runner}-${n}`;
      this.given.add(name);
      taken.add(name);
      if (await this.claims.claim(name, id, (holder) => this.listed(holder))) return name;
    }
  }

  /**
   * Gives up the names of runs removed or never started, in the background: a claim left behind
   * names a run that is gone, which any new run may take over.
   */
  release(runs: readonly { name: string; id: string }[]): void {
    this.claims.release(runs).catch((error: unknown) => this.log.warn(`the names of removed runs stay claimed: ${errorMessage(error)}`));
  }

  /** The run `id` is still listed: its folder is there (and, for one without a record, was made lately). */
  private listed(id: string): boolean {
    // A claim that names no run's folder (written over by hand, garbled) holds nothing.
    if (!isPlainSegment(id)) return false;
    const run = this.paths.run(id);
    try {
      return fs.existsSync(run.record) || Date.now() - fs.statSync(run.dir).mtimeMs < RECORDLESS_MS;
    } catch {
      return false;
    }
  }

  /** The run `id` is listed and has not ended (a record that cannot be read counts as live). */
  private lives(id: string): boolean {
    return this.listed(id) && !isFinishedOnDisk(this.paths.run(id));
  }
}

function nameTaken(name: string, holder: string, status: string): SwitchboardError {
  return new SwitchboardError('name_taken', `The name "${name}" belongs to run ${holder}, which is still ${status}.`, 'Choose another name, or stop that run first.');
}
