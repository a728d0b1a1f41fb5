/**
 * The circuit breakers of one workspace's gates, kept in `gates/<key>/breakers.json` and shared by
 * every process over the state folder: each change is read-modify-write under a lock file, written
 * atomically. A corrupt file is set aside and the breakers start `Closed`. The clock is injectable,
 * so the state machine (breakerState.ts) can be driven on a fake one.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Feed } from '../feed/feed';
import { gateKey } from '../feed/feedEvent';
import { withFileLock } from '../feed/fileLock';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { describeIssues } from '../zodIssues';
import * as machine from './breakerState';
import { gatePaths, type GatePaths } from './gatePaths';

const count = z.number().int().min(0);
const recordSchema = z.object({
  state: z.enum(machine.BREAKER_STATES),
  failureCount: count,
  lastFailureAt: z.number().optional(),
  openedAt: z.number().optional(),
  trials: z.array(z.object({ id: z.string(), pid: z.number().int(), startToken: z.string() })),
  failureThreshold: z.number().int().min(1),
  recoveryTimeoutSecs: z.number().min(0),
  halfOpenCalls: z.number().int().min(1),
});
const fileSchema = z.object({ version: z.literal(1), workspace: z.string(), breakers: z.record(z.string(), recordSchema) });
type BreakersFile = z.infer<typeof fileSchema>;

export interface BreakersOptions {
  policy?: Partial<machine.BreakerPolicy>;
  /** Epoch milliseconds (default Date.now). */
  clock?: () => number;
  /** Gets `breaker.opened` and `breaker.reset`. */
  feed?: Feed;
  /** Who runs the gates (a goal), carried on what the feed is told. */
  links?: { goal?: string };
}

/** A breaker a reset changed, with the state it had. */
export interface ResetBreaker {
  view: machine.BreakerView;
  previous: machine.BreakerState;
}

export class Breakers {
  readonly paths: GatePaths;
  readonly policy: machine.BreakerPolicy;
  /** What a person should know (a corrupt file set aside). */
  readonly warnings: string[] = [];
  private readonly now: () => number;

  constructor(stateDir: string, readonly workspace: string, private readonly options: BreakersOptions = {}) {
    this.paths = gatePaths(stateDir, workspace);
    this.policy = { ...machine.DEFAULT_BREAKER_POLICY, ...options.policy };
    this.now = options.clock ?? Date.now;
  }

  /** Every breaker of the workspace, as it is now (gates never run have none). */
  status(): machine.BreakerView[] {
    const now = this.now();
    return Object.entries(this.read().breakers).map(([name, record]) => machine.breakerView(name, record, now));
  }

  view(gate: string): machine.BreakerView | undefined {
    return this.status().find((b) => b.gateName === gate);
  }

  /** Whether `gate` may run now; a trial run (half-open) is named, to be given to `record` or `release`. */
  admit(gate: string): Promise<{ allowed: true; trialId?: string } | { allowed: false; reason: string }> {
    const trial = { id: randomBytes(6).toString('hex'), pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    return this.change(gate, (record, now) => {
      const admission = machine.admitRun(record, now, trial);
      return [admission.record, admission.allowed ? { allowed: true as const, ...(admission.trial ? { trialId: trial.id } : {}) } : { allowed: false as const, reason: admission.reason }];
    });
  }

  /** Records a run's verdict; tells the feed when it opened the breaker. */
  async record(gate: string, passed: boolean, trialId?: string): Promise<machine.BreakerView> {
    const { before, after } = await this.change(gate, (record, now) => {
      const next = machine.recordRun(record, now, passed, trialId);
      return [next, { before: machine.currentBreaker(record, now).state, after: machine.breakerView(gate, next, now) }];
    });
    if (before !== 'Open' && after.state === 'Open') this.tell('breaker.opened', after);
    return after;
  }

  /** A trial run that gave no verdict (cancelled) gives its place back. */
  async release(gate: string, trialId: string): Promise<void> {
    await this.change(gate, (record) => [machine.releaseTrial(record, trialId), undefined]);
  }

  /** Resets `gate` (Open or HalfOpen) to Closed; undefined when it has no breaker. `previous` says what it was. */
  async reset(gate: string): Promise<ResetBreaker | undefined> {
    if (!(gate in this.read().breakers)) return undefined;
    return (await this.resetWhere((name) => name === gate))[0] ?? { view: this.view(gate)!, previous: 'Closed' };
  }

  /** Resets every breaker that is not Closed; returns those. */
  resetAll(): Promise<ResetBreaker[]> {
    return this.resetWhere(() => true);
  }

  private async resetWhere(which: (name: string) => boolean): Promise<ResetBreaker[]> {
    const reset = await this.update((file, now) => {
      const changed: ResetBreaker[] = [];
      for (const [name, record] of Object.entries(file.breakers)) {
        const previous = machine.currentBreaker(record, now).state;
        if (!which(name) || previous === 'Closed') continue;
        file.breakers[name] = machine.resetBreaker(record);
        changed.push({ view: machine.breakerView(name, file.breakers[name]!, now), previous });
      }
      return changed;
    });
    for (const r of reset) this.tell('breaker.reset', r.view, r.previous);
    return reset;
  }

  /** Changes one gate's breaker (made Closed if it has none) under the lock; trials of processes that died are dropped first. */
  private change<T>(gate: string, work: (record: machine.BreakerRecord, now: number) => [machine.BreakerRecord, T]): Promise<T> {
    return this.update((file, now) => {
      const stored = file.breakers[gate] ?? machine.closedBreaker(this.policy);
      const record = { ...stored, ...this.policy, trials: stored.trials.filter((t) => isSameProcessAlive(t)) };
      const [next, answer] = work(record, now);
      file.breakers[gate] = next;
      return answer;
    });
  }

  /** Changes the file under its lock, waited for without blocking (writers of several processes never lose each other's changes). */
  private update<T>(work: (file: BreakersFile, now: number) => T): Promise<T> {
    fs.mkdirSync(path.dirname(this.paths.breakers), { recursive: true, mode: 0o700 });
    return withFileLock(this.paths.lock, () => {
      const file = this.read();
      const answer = work(file, this.now());
      writeJsonAtomic(this.paths.breakers, file);
      return answer;
    });
  }

  private read(): BreakersFile {
    const read = readJsonFile<BreakersFile>(this.paths.breakers, (value) => {
      const parsed = fileSchema.safeParse(value);
      return parsed.success ? undefined : describeIssues(parsed.error.issues, value);
    });
    if (read.kind === 'corrupt') this.warnings.push(`The gate breakers of ${this.workspace} could not be read (${read.reason}); the file was set aside as ${read.setAsideAs} and every breaker starts Closed.`);
    return read.kind === 'ok' ? read.value : { version: 1, workspace: this.workspace, breakers: {} };
  }

  private tell(type: 'breaker.opened' | 'breaker.reset', view: machine.BreakerView, previous?: machine.BreakerState): void {
    const entity: machine.BreakerEntity = { workspace: this.workspace, ...view, ...(previous ? { previous } : {}), ...(this.options.links ? { links: this.options.links } : {}) };
    this.options.feed?.append({ type, key: gateKey(this.paths.key, view.gateName), entity });
  }
}
