/**
 * Comparisons: one prompt run by several runners (or models) at once, each in a worktree of its own;
 * once they have all ended, the same gates run in each worktree whose run is done, and each
 * contender's row says what it cost, whether its gates passed and how much it changed. The
 * comparison runs in the process that started it (the CLI's `compare`, an MCP server); its record
 * lets any process show it later, and the run names lead to `diff` and `merge`.
 */
import * as path from 'node:path';
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Event } from '../events';
import type { Feed } from '../feed/feed';
import { compareKey, type FeedType } from '../feed/feedEvent';
import { checkGates, type GateSpec } from '../gates/gate';
import { gateLogName } from '../gates/gateOutput';
import { runGate } from '../gates/runGate';
import { Lifecycle, toDisposable } from '../lifecycle';
import { silentLogger, tagged, type Logger } from '../logger';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { checkCwd } from '../registry/launch';
import { repoForWorktree } from '../registry/isolateRun';
import type { RunRegistry } from '../registry/registry';
import type { RunWorktrees } from '../registry/runWorktrees';
import { redactText, secretsFromEnv } from '../redact';
import { elapsed } from '../render';
import { checkModel } from '../runners/models';
import type { RunLimits, RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { listCompares, loadCompare, newCompareId, saveCompare, type CompareEntry, type CompareRecord, type CompareRow, type CompareView, type EntryOutcome } from './compareRecord';
import { compareSummary } from './compareText';

/** More contenders than this at once is taken for a mistake. */
export const MAX_CONTENDERS = 8;

export interface CompareOptions {
  prompt: string;
  /** One entry each; a runner may come twice (with different models). */
  runners: string[];
  /** The model of each runner, by position; absent or empty: that runner's configured model. */
  models?: (string | undefined)[];
  gates?: GateSpec[];
  cwd?: string;
  /** The custom runner's command template. */
  command?: string;
  limits?: RunLimits;
  /** Run in each new worktree (default: the teams' setup), and the files copied in (default: the teams'). */
  setup?: string;
  copyFiles?: string[];
  startedBy?: string;
}

export class CompareService extends Lifecycle {
  /** Comparisons run here: `letGo` stops following one (this process closes), `gates` stops its gates (it is cancelled). */
  private readonly live = new Map<string, { done: Promise<CompareRecord>; letGo: AbortController; gates: AbortController; record: CompareRecord }>();
  private readonly changes: Emitter<CompareRecord>;
  /** A comparison run here changed. */
  readonly onDidChange: Event<CompareRecord>;
  private readonly log: Logger;

  constructor(
    private readonly registry: RunRegistry,
    private readonly worktrees: RunWorktrees,
    private readonly options: { feed?: Feed; logger?: Logger } = {},
  ) {
    super();
    this.log = tagged(options.logger ?? silentLogger, 'compare');
    this.changes = this.register(new Emitter<CompareRecord>(this.log));
    this.onDidChange = this.changes.event;
    // This process lets go: gates still running are stopped (the record says it had not ended).
    this.register(toDisposable(() => [...this.live.values()].forEach((l) => (l.letGo.abort(), l.gates.abort()))));
  }

  /** Checks everything, starts every contender's run, and returns; the rest goes on in this process (see `wait`). */
  async start(options: CompareOptions): Promise<CompareRecord> {
    if (this.isDisposed) throw new SwitchboardError('not_running', 'Switchboard is closing; it starts no comparison now.');
    const entries = this.contenders(options);
    const workspace = checkCwd(options.cwd ?? process.cwd());
    await repoForWorktree(workspace);
    const specs = options.gates ?? [];
    checkGates(specs);
    const stateDir = this.registry.stateDir;
    const startToken = startTokenOf(process.pid);
    const record: CompareRecord = {
      version: 1,
      id: newCompareId(stateDir),
      prompt: redactText(options.prompt, secretsFromEnv(this.registry.env)),
      workspace,
      status: 'running',
      gates: specs,
      entries,
      createdAt: Date.now(),
      ...(startToken ? { owner: { pid: process.pid, startToken } } : {}),
      ...(options.startedBy ? { startedBy: options.startedBy } : {}),
    };
    this.save(record, 'compare.started');
    await Promise.all(entries.map((entry) => this.startEntry(record, entry, options)));
    const letGo = new AbortController();
    const gates = new AbortController();
    const done = this.evaluate(record, letGo.signal, gates.signal).finally(() => this.live.delete(record.id));
    this.live.set(record.id, { done, letGo, gates, record });
    this.save(record, 'compare.updated');
    return record;
  }

  /** The contenders, each checked as its run would be (so that none starts when one cannot). */
  private contenders(options: CompareOptions): CompareEntry[] {
    if (!options.prompt?.trim()) throw new SwitchboardError('invalid_argument', 'The prompt is empty.', 'Say what every agent should do.');
    const runners = options.runners.map((r) => r.trim()).filter(Boolean);
    if (runners.length === 0) throw new SwitchboardError('invalid_argument', 'No runner to compare.', 'Name them, e.g. --runners claude,codex,gemini.');
    if (runners.length > MAX_CONTENDERS) throw new SwitchboardError('invalid_argument', `${runners.length} runners is more than the ${MAX_CONTENDERS} a comparison runs at once.`, 'Compare fewer at a time.');
    const models = options.models ?? [];
    if (models.length > runners.length) {
      throw new SwitchboardError('invalid_argument', `${models.length} models for ${runners.length} runners.`, 'Give at most one model per runner, in the same order (leave one empty, as in --models ,gpt-5, for its configured model).');
    }
    return runners.map((runner, i) => {
      const model = models[i]?.trim() || undefined;
      if (model) checkModel(runner, model, `the model of runner ${i + 1} (${runner})`);
      this.registry.check({ runner, prompt: options.prompt, cwd: options.cwd, command: options.command, ...(model ? { model } : {}) });
      return { runner, ...(model ? { model } : {}) };
    });
  }

  private async startEntry(record: CompareRecord, entry: CompareEntry, options: CompareOptions): Promise<void> {
    try {
      const run = await this.registry.run({
        runner: entry.runner,
        prompt: options.prompt,
        cwd: record.workspace,
        command: options.command,
        worktree: { ...(options.setup !== undefined ? { setup: options.setup } : {}), ...(options.copyFiles ? { copyFiles: options.copyFiles } : {}) },
        links: { compare: record.id },
        ...(entry.model ? { model: entry.model } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.startedBy ? { startedBy: options.startedBy } : {}),
      });
      Object.assign(entry, { runId: run.id, name: run.name, branch: run.worktree?.branch });
    } catch (error) {
      entry.error = errorMessage(error);
    }
  }

  /** Waits for every run, then runs the gates in the worktree of each that is done, recording as it goes. */
  private async evaluate(record: CompareRecord, letGo: AbortSignal, gates: AbortSignal): Promise<CompareRecord> {
    const lettingGo = new Promise<void>((resolve) => letGo.addEventListener('abort', () => resolve(), { once: true }));
    const started = record.entries.filter((e) => e.runId);
    await Promise.race([Promise.all(started.map((e) => this.registry.wait(e.runId!).then(() => this.save(record, 'compare.updated')))), lettingGo]);
    if (letGo.aborted) return record;
    if (record.status === 'running') record.status = 'verifying';
    for (const entry of started) {
      const run = this.registry.resolve(entry.runId!);
      if (record.status === 'cancelled') entry.gatesSkipped = 'the comparison was cancelled';
      else if (run.status !== 'done') entry.gatesSkipped = `its run ended ${run.status}`;
      else if (record.gates.length) entry.gates = await this.runGates(record, entry, run, gates);
      entry.outcome = await this.outcome(run);
      if (letGo.aborted) return record;
      this.save(record, 'compare.updated');
    }
    if (record.status !== 'cancelled') record.status = 'done';
    record.endedAt = Date.now();
    this.save(record, 'compare.ended');
    return record;
  }

  private async runGates(record: CompareRecord, entry: CompareEntry, run: RunRecord, signal: AbortSignal): Promise<NonNullable<CompareEntry['gates']>> {
    const logs = new StateMap(this.registry.stateDir).compare(record.id).gateLogs;
    const results: NonNullable<CompareEntry['gates']>['results'] = [];
    for (const spec of record.gates) {
      if (signal.aborted) break;
      const r = await runGate(spec, { cwd: run.cwd, logFile: path.join(logs, gateLogName(`${run.name}-${spec.name}`)), env: this.registry.env, signal });
      results.push({ name: r.name, passed: r.passed, required: r.required, exitCode: r.exitCode, timedOut: r.timedOut, durationMs: r.durationMs, log: r.log });
    }
    return { passed: results.length === record.gates.length && results.every((r) => r.passed || !r.required), results };
  }

  private async outcome(run: RunRecord): Promise<EntryOutcome> {
    const diff = await this.worktrees.changes(run.id).catch(() => undefined);
    return {
      status: run.status,
      elapsedMs: elapsed(run),
      usage: run.usage,
      ...(run.model ? { model: run.model } : {}),
      files: diff?.files.length ?? 0,
      insertions: diff?.insertions ?? 0,
      deletions: diff?.deletions ?? 0,
    };
  }

  /** Stops a comparison run here: its runs are killed and its gates stopped; resolves once it has recorded how each ended. */
  async cancel(id: string, source: string): Promise<CompareRecord> {
    const live = this.live.get(id);
    if (!live) throw new SwitchboardError('not_running', `Comparison ${id} is not running in this process.`, 'Stop its runs with switchboard kill <run>.');
    live.record.status = 'cancelled';
    live.gates.abort();
    await Promise.all(live.record.entries.map((e) => e.runId && this.registry.kill(e.runId, { source }).catch(() => undefined)));
    return live.done;
  }

  /** Resolves once a comparison run here has ended (at once with the record for one run elsewhere). */
  async wait(id: string): Promise<CompareRecord> {
    return this.live.get(id)?.done ?? this.get(id);
  }

  get(id: string): CompareRecord {
    return this.live.get(id)?.record ?? loadCompare(this.registry.stateDir, id);
  }

  /** Every comparison, newest first. */
  list(): CompareRecord[] {
    const records: CompareRecord[] = [];
    for (const id of listCompares(this.registry.stateDir)) {
      try {
        records.push(this.get(id));
      } catch {
        // Set aside as corrupt, or removed meanwhile: not listed.
      }
    }
    return records.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A comparison with each contender's row; `diffs: false` leaves out the figures that ask git (for frequent progress). */
  async view(id: string, options: { diffs?: boolean } = {}): Promise<CompareView> {
    const record = this.get(id);
    const rows = await Promise.all(record.entries.map((entry) => this.row(entry, options.diffs !== false)));
    const ended = record.status === 'done' || record.status === 'cancelled';
    return { record, rows, owned: ended || this.live.has(id) || isSameProcessAlive(record.owner) };
  }

  private async row(entry: CompareEntry, diffs: boolean): Promise<CompareRow> {
    const { runner, model, name, runId, branch, gates, gatesSkipped, error } = entry;
    const base: CompareRow = { runner, model, name, runId, branch, gates, gatesSkipped, error, status: 'not started', ...entry.outcome };
    const run = runId ? this.find(runId) : undefined;
    if (!run || entry.outcome) return base;
    const diff = diffs ? await this.worktrees.changes(run.id).catch(() => undefined) : undefined;
    return { ...base, status: run.status, elapsedMs: elapsed(run), usage: run.usage, model: run.model ?? model, ...(diff ? { files: diff.files.length, insertions: diff.insertions, deletions: diff.deletions } : {}) };
  }

  private find(id: string): RunRecord | undefined {
    try {
      return this.registry.resolve(id);
    } catch {
      return undefined;
    }
  }

  private save(record: CompareRecord, type: FeedType): void {
    saveCompare(this.registry.stateDir, record);
    this.options.feed?.append({ type, key: compareKey(record.id), entity: { id: record.id, status: record.status, workspace: record.workspace, summary: compareSummary(record), entries: record.entries.map(({ runner, model, name, runId }) => ({ runner, model, name, runId })) } });
    this.changes.fire(record);
  }
}
