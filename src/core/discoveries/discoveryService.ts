/**
 * Discoveries over one state folder, for every surface (CLI, MCP, the views): work an agent found
 * that nobody planned, reported through MCP (report_discovery, attributed to the calling run) or
 * in a fenced block of its text (recognised here when a run of a team or goal this process runs
 * ends), kept under its goal or team, then promoted into a task of that graph (scheduled by the
 * team at work, or the goal's next team) or dismissed with a reason. Every change is told in the feed.
 */
import type { Task, TaskSpec } from '../dag/task';
import { errorMessage, SwitchboardError } from '../errors';
import type { Feed } from '../feed/feed';
import { discoveryKey, type FeedType } from '../feed/feedEvent';
import type { GoalService } from '../goals/goalService';
import { listGoals } from '../goals/goalStore';
import { Lifecycle } from '../lifecycle';
import { silentLogger, tagged, type Logger } from '../logger';
import { redactText, secretsFromEnv } from '../redact';
import type { RunRegistry } from '../registry/registry';
import { getRunner } from '../runners/runnerTable';
import { RUN_HEADER } from '../runners/types';
import { readRecord } from '../runs/recordFile';
import { isFinished, type RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { PLAN_TASK } from '../teams/planner';
import type { TeamService } from '../teams/teamService';
import { listTeams, type TeamRecord } from '../teams/teamStore';
import { fingerprintOf, scanDiscoveries } from './discoveryFence';
import { changeDiscoveries, describeOwner, isDiscoveryId, nextDiscoveryId, ownerName, ownerOf, readDiscoveries, type Discovery, type DiscoveryOwner, type DiscoveryStatus } from './discoveryStore';

export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 20_000;
/** How much of a plain-text agent's output is read for fenced discoveries. */
const OUTPUT_SCAN_BYTES = 4 * 1024 * 1024;
const RUN_ID = /^[a-z0-9]{4,32}$/;

export interface DiscoveryReport {
  title: string;
  description: string;
  sourceTaskId?: string;
  /** The run that reports it (an agent Switchboard started names itself); its goal or team and task are taken from it. */
  run?: string;
  /** Where it belongs, when no run says (a client that is not a Switchboard agent). */
  goal?: string;
  team?: string;
}

/** Narrows where a discovery id is looked for (ids repeat from one goal or team to another). */
export interface DiscoveryScope {
  goal?: string;
  team?: string;
}

export interface Promotion {
  discovery: Discovery;
  task: Task;
}

export interface DiscoveryServiceOptions {
  runs: RunRegistry;
  teams: TeamService;
  goals: GoalService;
  feed?: Feed;
  logger?: Logger;
}

const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The discovery as feed events carry it (linked to its goal, so that the goal's replay shows it). */
function discoveryEntity(d: Discovery): Record<string, unknown> {
  const { fingerprint: _fingerprint, ...rest } = d;
  return { ...rest, ...(d.goal ? { links: { goal: d.goal } } : {}) };
}

export class DiscoveryService extends Lifecycle {
  private readonly log: Logger;
  private readonly stateDir: string;
  /** Runs whose text was read for fenced discoveries. */
  private readonly scanned = new Set<string>();

  constructor(private readonly options: DiscoveryServiceOptions) {
    super();
    this.log = tagged(options.logger ?? silentLogger, 'discoveries');
    this.stateDir = options.runs.stateDir;
    // The process that runs a team (or goal) reads the text of its runs as they end; a team taken
    // over here, also those of its runs that ended while nobody ran it.
    this.register(options.runs.onDidChange(({ run }) => void (isFinished(run.status) && this.followed(run) && this.scan(run))));
    this.register(options.teams.onDidChange((team) => this.catchUp(team)));
  }

  /** Records a discovery reported through MCP (or another surface); throws, saying what to pass, when it has nowhere to go. */
  report(report: DiscoveryReport): Promise<Discovery> {
    const run = report.run ? this.knownRun(report.run) : undefined;
    const owner = this.ownerFor(report, run);
    const task = report.sourceTaskId?.trim() || (run?.links.task && run.links.task !== PLAN_TASK ? run.links.task : undefined);
    return this.add(owner, { title: report.title, description: report.description, ...(task ? { sourceTaskId: task } : {}), ...(run ? { sourceRun: run.id } : {}), via: 'mcp' });
  }

  /** Every discovery (of one goal or team, when given; of one status, when given), oldest first. */
  list(scope: DiscoveryScope = {}, status?: DiscoveryStatus): Discovery[] {
    const owners = scope.goal || scope.team ? [this.scopeOwner(scope)] : this.owners();
    return owners
      .flatMap((owner) => readDiscoveries(this.stateDir, owner))
      .filter((d) => !status || d.status === status)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** One discovery: `DSC-001` (with a scope when several goals or teams have one), or `<goal or team>/DSC-001`. */
  get(id: string, scope: DiscoveryScope = {}): Discovery {
    const qualified = /^(.+)\/(DSC-\d+)$/.exec(id.trim());
    const bare = qualified ? qualified[2]! : id.trim();
    if (!isDiscoveryId(bare)) throw new SwitchboardError('invalid_argument', `"${id}" is not a discovery id.`, 'Discovery ids look like DSC-001 (or goal-…/DSC-001, team/DSC-001); `switchboard discovery list` shows them.');
    if (qualified) scope = /^goal-\d{8}-[a-z0-9]{6}$/.test(qualified[1]!) ? { goal: qualified[1]! } : { team: qualified[1]! };
    const scoped = !!(scope.goal || scope.team);
    const candidates = (scoped ? [this.scopeOwner(scope)] : this.owners()).flatMap((owner) => readDiscoveries(this.stateDir, owner).filter((d) => d.id === bare));
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length === 0) {
      const where = scoped ? describeOwner(this.scopeOwner(scope)) : 'any goal or team';
      const known = this.list(scope).map((d) => `${ownerName(ownerOf(d))}/${d.id}`);
      throw new SwitchboardError('unknown_discovery', `There is no discovery ${bare} in ${where}.`, known.length ? `Discoveries: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.` : 'None has been reported yet.');
    }
    const places = candidates.map((d) => `${describeOwner(ownerOf(d))} ("${d.title}")`);
    const options = candidates.map((d) => ('goal' in ownerOf(d) ? `--goal ${d.goal}` : `--team ${d.team}`));
    throw new SwitchboardError('ambiguous_discovery', `${bare} is the id of a discovery in more than one place: ${places.join(', ')}.`, `Say which: ${options.join(', or ')} (or ${candidates.map((d) => `${ownerName(ownerOf(d))}/${bare}`).join(', ')}).`, {
      candidates: candidates.map((d) => ({ goal: d.goal ?? null, team: d.team ?? null, id: d.id, title: d.title })),
    });
  }

  /**
   * Makes a pending discovery a task of its goal's or team's graph (its id is the task's id), after
   * the tasks `dependsOn` names: a team at work schedules it at once; a goal's team at work takes it,
   * or the goal's next team. Refused (it stays pending) when the graph cannot take it.
   */
  async promote(id: string, scope: DiscoveryScope = {}, dependsOn: string[] = []): Promise<Promotion> {
    const found = this.get(id, scope);
    this.checkPending(found, 'promoted');
    const spec: TaskSpec = { id: found.id, title: found.title, description: this.taskDescription(found), dependsOn: [...new Set(dependsOn.map((d) => d.trim()).filter(Boolean))] };
    const existing = this.graph(found).find((t) => t.id === found.id && t.title === found.title);
    // Added before, and its record not updated then (its process went): only the record is left to do.
    const task = existing ?? (await this.addTask(found, spec));
    const promoted = await this.change(found, (d) => {
      this.checkPending(d, 'promoted');
      Object.assign(d, { status: 'promoted', promotedTask: task.id, updatedAt: Date.now() });
    }, 'discovery.promoted');
    return { discovery: promoted, task };
  }

  /** Dismisses a pending discovery, saying why. */
  async dismiss(id: string, scope: DiscoveryScope, reason: string): Promise<Discovery> {
    const why = redactText(reason ?? '', secretsFromEnv(process.env)).trim();
    if (!why) throw new SwitchboardError('invalid_argument', 'A dismissal needs a reason.', 'Say why the work is not wanted (--reason "…"), so that whoever reported it can tell.');
    const found = this.get(id, scope);
    this.checkPending(found, 'dismissed');
    return this.change(found, (d) => {
      this.checkPending(d, 'dismissed');
      Object.assign(d, { status: 'dismissed', reason: clip(why, MAX_DESCRIPTION), updatedAt: Date.now() });
    }, 'discovery.dismissed');
  }

  /** Reads a finished run's text for fenced discoveries (once per run); what it finds is recorded under the run's goal or team. */
  async scan(run: RunRecord): Promise<Discovery[]> {
    if (this.scanned.has(run.id)) return [];
    this.scanned.add(run.id);
    const owner = run.links.goal ? { goal: run.links.goal } : run.links.team ? { team: run.links.team } : undefined;
    if (!owner) return [];
    const { found, problems } = scanDiscoveries(this.textsOf(run));
    for (const problem of problems) this.log.warn(`${run.name} (${run.id}): ${problem}; it was not recorded`);
    const task = run.links.task && run.links.task !== PLAN_TASK ? run.links.task : undefined;
    const out: Discovery[] = [];
    for (const block of found) {
      try {
        out.push(await this.add(owner, { title: block.title, description: block.description, sourceRun: run.id, ...(block.sourceTaskId || task ? { sourceTaskId: block.sourceTaskId ?? task } : {}), via: 'output' }));
      } catch (error) {
        this.log.warn(`${run.name} (${run.id}): a discovery could not be recorded: ${errorMessage(error)}`);
      }
    }
    return out;
  }

  private catchUp(team: TeamRecord): void {
    if (!team.tasks.some((t) => t.runId && !this.scanned.has(t.runId))) return;
    for (const run of this.options.runs.list({ team: team.name })) if (isFinished(run.status) && !this.scanned.has(run.id) && this.followed(run)) void this.scan(run);
  }

  /** Whether this process runs the team or goal of a run (so it, and no other process, reads the run's text). */
  private followed(run: RunRecord): boolean {
    const { goal, team } = run.links;
    return !!((goal && this.options.goals.goal(goal)) || (team && this.options.teams.team(team)));
  }

  /** The agent's own words: its text events and final answer, or the output of a plain-text CLI. */
  private textsOf(run: RunRecord): string[] {
    try {
      if (!getRunner(run.runner).structured) return [this.options.runs.tail(run.id, OUTPUT_SCAN_BYTES)];
      return this.options.runs.events(run.id).flatMap((e) => (e.type === 'text' ? [e.text] : e.type === 'result' && e.text ? [e.text] : []));
    } catch (error) {
      this.log.warn(`${run.name} (${run.id}): its output could not be read for discoveries: ${errorMessage(error)}`);
      return [];
    }
  }

  private async add(owner: DiscoveryOwner, fields: Pick<Discovery, 'title' | 'description' | 'sourceTaskId' | 'sourceRun' | 'via'>): Promise<Discovery> {
    const secrets = secretsFromEnv(process.env);
    const title = clip(redactText(fields.title ?? '', secrets).replace(/\s+/g, ' ').trim(), MAX_TITLE);
    const description = clip(redactText(fields.description ?? '', secrets).trim(), MAX_DESCRIPTION);
    if (!title) throw new SwitchboardError('invalid_argument', 'A discovery needs a title.', 'Say in a few words what work was found (e.g. "The rate limit config is missing").');
    // A fenced block is recognised once, however often the agents' text repeats it.
    const fingerprint = fields.via === 'output' ? fingerprintOf(title, description) : undefined;
    let created = true;
    const discovery = await changeDiscoveries(this.stateDir, owner, (list) => {
      const seen = fingerprint && list.find((d) => d.fingerprint === fingerprint);
      if (seen) {
        created = false;
        return seen;
      }
      const now = Date.now();
      const d: Discovery = { id: nextDiscoveryId(list), title, description, ...pick(fields), status: 'pending', createdAt: now, updatedAt: now, ...owner, via: fields.via, ...(fingerprint ? { fingerprint } : {}) };
      list.push(d);
      return d;
    });
    if (created) {
      this.tell('discovery.created', discovery);
      this.log.info(`${describeOwner(owner)}: ${discovery.id} "${discovery.title}"${discovery.sourceRun ? ` from run ${discovery.sourceRun}` : ''}`);
    }
    return discovery;
  }

  private async change(found: Discovery, change: (d: Discovery) => void, type: FeedType): Promise<Discovery> {
    const updated = await changeDiscoveries(this.stateDir, ownerOf(found), (list) => {
      const d = list.find((x) => x.id === found.id);
      if (!d) throw new SwitchboardError('unknown_discovery', `Discovery ${found.id} of ${describeOwner(ownerOf(found))} is gone.`);
      change(d);
      return d;
    });
    this.tell(type, updated);
    return updated;
  }

  private tell(type: FeedType, d: Discovery): void {
    this.options.feed?.append({ type, key: discoveryKey(ownerName(ownerOf(d)), d.id), entity: discoveryEntity(d) });
  }

  private checkPending(d: Discovery, wanted: 'promoted' | 'dismissed'): void {
    if (d.status === 'pending') return;
    const name = `${d.id} of ${describeOwner(ownerOf(d))}`;
    if (d.status === 'dismissed') {
      throw new SwitchboardError('invalid_argument', `${name} was dismissed${d.reason ? ` (${d.reason})` : ''}; it cannot be ${wanted}.`, wanted === 'promoted' ? 'Report it again if the work is wanted after all.' : undefined);
    }
    throw new SwitchboardError('invalid_argument', `${name} was already promoted, as task ${d.promotedTask}.`, wanted === 'dismissed' ? `Cancel that task instead if the work is not wanted.` : undefined);
  }

  private taskDescription(d: Discovery): string {
    const from = [d.sourceTaskId && `during task ${d.sourceTaskId}`, d.sourceRun && `by run ${d.sourceRun}`].filter(Boolean).join(' ');
    return [d.description, `(Discovery ${d.id}, reported${from ? ` ${from}` : ''}.)`].filter(Boolean).join('\n\n');
  }

  /** The tasks of the discovery's graph. */
  private graph(d: Discovery): Task[] {
    return d.goal ? this.options.goals.get(d.goal).tasks : this.options.teams.get(d.team!).tasks;
  }

  private async addTask(d: Discovery, spec: TaskSpec): Promise<Task> {
    if (d.goal) return this.options.goals.addTask(d.goal, spec);
    try {
      const [task] = await this.options.teams.addTasks(d.team!, [spec]);
      return task!;
    } catch (error) {
      if (error instanceof SwitchboardError && error.code === 'not_running') {
        throw new SwitchboardError('not_running', `${error.message} ${d.id} stays pending.`, error.hint, error.details);
      }
      throw error;
    }
  }

  /** A run named by an agent's header: known to the registry, or recorded on disk (started by another process). */
  private knownRun(id: string): RunRecord | undefined {
    const known = this.options.runs.list().find((r) => r.id === id);
    if (known || !RUN_ID.test(id)) return known;
    const read = readRecord(new StateMap(this.stateDir).run(id));
    return read.kind === 'ok' ? read.value : undefined;
  }

  /** Where a report goes: the goal or team it names, else its run's goal, else its run's team. */
  private ownerFor(report: DiscoveryReport, run: RunRecord | undefined): DiscoveryOwner {
    if (report.goal || report.team) return this.scopeOwner({ goal: report.goal, team: report.team });
    if (run?.links.goal) return { goal: run.links.goal };
    if (run?.links.team) return { team: run.links.team };
    const pass = 'Pass `goal` (a goal id: goal_list shows them) or `team` (a team name: team_list) to say where it belongs.';
    if (run) throw new SwitchboardError('invalid_argument', `Run ${run.name} (${run.id}) belongs to no goal or team, so its discovery has nowhere to go.`, pass);
    if (report.run) throw new SwitchboardError('unknown_run', `Run ${report.run} (named by the ${RUN_HEADER} header) is not a run of this Switchboard, so the discovery has nowhere to go.`, pass);
    throw new SwitchboardError('invalid_argument', 'Nothing says which goal or team this discovery belongs to: only agents that Switchboard starts name their run.', pass);
  }

  /** The owner a scope names (checked to exist); a team of a goal stands for its goal. */
  private scopeOwner(scope: DiscoveryScope): DiscoveryOwner {
    if (scope.goal && scope.team) throw new SwitchboardError('invalid_argument', 'Give a goal or a team, not both.', 'A discovery belongs to one of them.');
    if (scope.goal) return { goal: this.options.goals.get(scope.goal).id };
    const team = this.options.teams.get(scope.team!);
    return team.goal ? { goal: team.goal } : { team: team.name };
  }

  /** Every goal and team, goals first (newest first). */
  private owners(): DiscoveryOwner[] {
    return [...listGoals(this.stateDir).map((goal) => ({ goal })), ...listTeams(this.stateDir).map((team) => ({ team }))];
  }
}

function pick(fields: Pick<Discovery, 'sourceTaskId' | 'sourceRun'>): Partial<Discovery> {
  return { ...(fields.sourceTaskId ? { sourceTaskId: fields.sourceTaskId } : {}), ...(fields.sourceRun ? { sourceRun: fields.sourceRun } : {}) };
}
