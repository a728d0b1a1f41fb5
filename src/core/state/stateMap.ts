/**
 * The map of the state folder: every path Switchboard keeps there, with what it holds. It is the
 * contract between the processes that share the folder (the extension, CLI commands, MCP servers,
 * supervisor hosts): every component asks it for its paths, and no other file joins segments of the
 * state folder. `STATE_ENTRIES` is the one description, `StateMap` builds paths from it, and
 * `describeStatePath` tells which entry a path found on disk is (the README's tree is checked
 * against it).
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { socketFolder } from '../store/tempFolder';
import { SET_ASIDE_ENTRY, STATE_ENTRIES, TRANSIENT_ENTRY, type StateEntry, type StatePattern } from './stateEntries';

export { STATE_ENTRIES, type StateEntry, type StatePattern } from './stateEntries';

/** Longer Unix socket paths than this do not fit `sockaddr_un` everywhere: they move to the temp folder. */
const MAX_SOCKET_PATH = 100;

/** Fills the `<name>` segments of a pattern (each value must be one plain path segment). */
function fill(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/<(\w+)>/g, (_m, key: string) => segment(pattern, key, values[key]));
}

/** Whether `value` can fill a `<name>` segment (one plain path segment): what names an entry on disk, like a run's id, is checked with it. */
export function isPlainSegment(value: string | undefined): value is string {
  return value !== undefined && value !== '' && !value.includes('/') && !value.includes('\\') && value !== '.' && value !== '..';
}

/** `value` when it is one plain path segment, else an error naming the pattern's `<key>`. */
function segment(pattern: string, key: string, value: string | undefined): string {
  if (!isPlainSegment(value)) {
    throw new Error(`state map: <${key}> of ${pattern} must be one path segment, not ${JSON.stringify(value)}`);
  }
  return value;
}

/** A socket at `preferred`, or (too long for a socket address) a hashed name in the folder of sockets (see socketFolder). */
export function socketPath(preferred: string): string {
  if (preferred.length <= MAX_SOCKET_PATH) return preferred;
  const hash = crypto.createHash('sha256').update(preferred).digest('hex').slice(0, 16);
  return path.join(socketFolder(), `switchboard-${hash}.sock`);
}

export interface RunPaths {
  dir: string;
  record: string;
  output: string;
  /** A plain-text runner's output with secrets redacted. */
  outputRedacted: string;
  outputIndex: string;
  events: string;
  plan: string;
  /** The whole prompt, when it is too long for the record. */
  prompt: string;
  killMarker: string;
  /** New limits given while the run waited in line, taken by its supervisor as it starts (see raisedLimits.ts). */
  raisedLimits: string;
  /** The supervisor's control socket (possibly in the temp folder, see socketPath). */
  controlSocket: string;
  /** The state folder's disk reserve, given up to write the record when the disk is full. */
  diskReserve: string;
  /** A container run's home (its agent CLI's files). */
  home: string;
  /** A container run's plan without its prompt, for a supervisor that takes it over. */
  containerPlan: string;
  /** What of its worktree a container run on a remote engine was given. */
  copiedWorktree: string;
}

export interface TeamPaths {
  dir: string;
  record: string;
  plan: string;
  takeoverLock: string;
}

export class StateMap {
  private readonly runPaths = new Map<string, RunPaths>();
  private runsDir: string | undefined;
  private reserve: string | undefined;

  constructor(readonly root: string) {}

  /** The absolute path of an entry; the pattern must be one of STATE_ENTRIES (the compiler checks). */
  at(pattern: StatePattern, values: Record<string, string> = {}): string {
    return path.join(this.root, fill(pattern.replace(/\/$/, ''), values));
  }

  /** The state folder and its folders of fixed paths that hold files (pools/, hosts/, the lock folders…, not runs/): where processes of every kind write. */
  get fixedFolders(): string[] {
    return FOLDERS_OF_FILES.map((folder) => path.join(this.root, folder));
  }
  get config(): string {
    return this.at('config.json');
  }
  get supervisorLog(): string {
    return this.at('supervisor.log');
  }
  /** Space held back for a full disk (see diskSpace.ts). */
  get diskReserve(): string {
    return this.at('disk-reserve');
  }
  get hosts(): string {
    return this.at('hosts/');
  }
  /** A socket of a live process: a supervisor host (`host-…`), or a process running teams (`owner-…`). */
  hostSocket(name: string): string {
    return socketPath(this.hostEntry(name));
  }
  /** Where that socket is listed: the socket itself, or (its path too long for one, see socketPath) a file standing in for it. */
  hostEntry(name: string): string {
    return this.at('hosts/<host>.sock', { host: name });
  }
  /** Taken by the process that starts a supervisor host, so that processes starting runs at once share one. */
  get hostStartLock(): string {
    return this.at('hosts/start.lock/');
  }
  get runs(): string {
    return this.at('runs/');
  }
  /** The claim of a run name (see nameClaims.ts); `file` is the claim's file name. */
  nameClaim(file: string): string {
    return this.at('names/<name>', { name: file });
  }
  get namesLock(): string {
    return this.at('names.lock/');
  }
  get runsCache(): string {
    return this.at('runs-cache.json');
  }
  /** The briefs of finished runs (see RecordCache): what a process opening the folder reads. */
  get runsIndex(): string {
    return this.at('runs-index.json');
  }
  /** Rewritten by whoever changes a finished run's record: a record cache made before is checked run by run. */
  get runsCacheGeneration(): string {
    return this.at('runs-cache.gen');
  }
  /** A run's paths (made once per id: a folder of 10,000 runs asks for them all when it opens). */
  run(id: string): RunPaths {
    let paths = this.runPaths.get(id);
    if (paths) return paths;
    // What at('runs/<run>/') gives, without a join per run: the runs folder is joined once.
    this.runsDir ??= this.at('runs/');
    this.reserve ??= this.diskReserve;
    const dir = `${this.runsDir}${path.sep}${segment('runs/<run>/', 'run', id)}`;
    const inRun = (pattern: StatePattern & `runs/<run>/${string}`): string => `${dir}${path.sep}${pattern.slice('runs/<run>/'.length)}`;
    paths = {
      dir,
      record: inRun('runs/<run>/run.json'),
      output: inRun('runs/<run>/output.log'),
      outputRedacted: inRun('runs/<run>/output.redacted.log'),
      outputIndex: inRun('runs/<run>/output.idx'),
      events: inRun('runs/<run>/events.jsonl'),
      plan: inRun('runs/<run>/plan.json'),
      prompt: inRun('runs/<run>/prompt.txt'),
      killMarker: inRun('runs/<run>/kill.json'),
      raisedLimits: inRun('runs/<run>/limits.json'),
      controlSocket: socketPath(inRun('runs/<run>/control.sock')),
      diskReserve: this.reserve,
      home: inRun('runs/<run>/home/').slice(0, -1),
      containerPlan: inRun('runs/<run>/container-plan.json'),
      copiedWorktree: inRun('runs/<run>/copied-worktree.json'),
    };
    this.runPaths.set(id, paths);
    return paths;
  }
  /** The claim of the supervisor host that takes over a container run (`claim`: who died, one segment). */
  adoptClaim(id: string, claim: string): string {
    return this.at('runs/<run>/adopted-<claim>/', { run: id, claim });
  }
  get teams(): string {
    return this.at('teams/');
  }
  team(name: string): TeamPaths {
    const v = { team: name };
    return { dir: this.at('teams/<team>/', v), record: this.at('teams/<team>/team.json', v), plan: this.at('teams/<team>/plan.json', v), takeoverLock: this.at('teams/<team>/takeover.lock', v) };
  }
  /** Where a worker's git worktree is made. */
  worktree(team: string, worker: string): string {
    return this.at('worktrees/<team>/<worker>/', { team, worker });
  }
  get runWorktrees(): string {
    return this.at('run-worktrees/');
  }
  /** Where a run's own git worktree is made (`run --worktree`). */
  runWorktree(id: string): string {
    return this.at('run-worktrees/<run>/', { run: id });
  }
  get compares(): string {
    return this.at('compares/');
  }
  /** A comparison's record and the folder of its gate logs. */
  compare(id: string): { dir: string; record: string; gateLogs: string } {
    const v = { compare: id };
    return { dir: this.at('compares/<compare>/', v), record: this.at('compares/<compare>/compare.json', v), gateLogs: this.at('compares/<compare>/gates/', v) };
  }
  get poolLedger(): string {
    return this.at('pools/ledger.json');
  }
  get poolLock(): string {
    return this.at('pools/ledger.lock/');
  }
  get mcpToken(): string {
    return this.at('mcp/token');
  }
  get mcpEndpoint(): string {
    return this.at('mcp/endpoint.json');
  }
  get feed(): string {
    return this.at('feed/');
  }
  get feedJournal(): string {
    return this.at('feed/journal.jsonl');
  }
  feedSegment(firstSeq: number): string {
    return this.at('feed/journal-<seq>.jsonl', { seq: String(firstSeq).padStart(12, '0') });
  }
  get feedAppendLock(): string {
    return this.at('feed/append.lock');
  }
  get feedCompactLock(): string {
    return this.at('feed/compact.lock');
  }
  get feedReaders(): string {
    return this.at('feed/readers/');
  }
  feedReader(id: string): string {
    return this.at('feed/readers/<reader>.json', { reader: id });
  }
  get metricsCounters(): string {
    return this.at('metrics/counters.json');
  }
  get metricsLock(): string {
    return this.at('metrics/counters.lock');
  }
  get goals(): string {
    return this.at('goals/');
  }
  goal(id: string): { dir: string; record: string; events: string; proof: string; ownerLog: string; takeoverLock: string; gateLogs: string; checkpoints: string } {
    const v = { goal: id };
    return {
      dir: this.at('goals/<goal>/', v),
      record: this.at('goals/<goal>/goal.json', v),
      events: this.at('goals/<goal>/events.jsonl', v),
      proof: this.at('goals/<goal>/proof.json', v),
      ownerLog: this.at('goals/<goal>/owner.log', v),
      takeoverLock: this.at('goals/<goal>/takeover.lock', v),
      gateLogs: this.at('goals/<goal>/gates/', v),
      checkpoints: this.at('goals/<goal>/checkpoints/', v),
    };
  }
  /** A goal's recovery checkpoint: its state as an iteration started. */
  goalCheckpoint(id: string, checkpoint: string): string {
    return this.at('goals/<goal>/checkpoints/<checkpoint>.json', { goal: id, checkpoint });
  }
  /** One workspace's gates (`key`: a hash of the workspace path): its breakers, their lock, the logs of runs outside a goal. */
  gates(key: string): { breakers: string; lock: string; logs: string } {
    const v = { workspace: key };
    return { breakers: this.at('gates/<workspace>/breakers.json', v), lock: this.at('gates/<workspace>/breakers.lock', v), logs: this.at('gates/<workspace>/logs/', v) };
  }
  /** Webhook deliveries: the cursor of older versions, the queue, the log. */
  get webhooks(): { dir: string; legacyCursor: string; queue: string; log: string } {
    return {
      dir: this.at('webhooks/'),
      legacyCursor: this.at('webhooks/cursor.json'),
      queue: this.at('webhooks/queue/'),
      log: this.at('webhooks/log.jsonl'),
    };
  }
  /** One webhook (`key`: a hash of its address and format): its feed cursor, its deliverer's lease and the lease's lock. */
  webhook(key: string): { dir: string; cursor: string; lease: string; leaseLock: string } {
    const v = { hook: key };
    return {
      dir: this.at('webhooks/hooks/<hook>/', v),
      cursor: this.at('webhooks/hooks/<hook>/cursor.json', v),
      lease: this.at('webhooks/hooks/<hook>/deliverer.json', v),
      leaseLock: this.at('webhooks/hooks/<hook>/deliverer.lock', v),
    };
  }
  /** One queued webhook delivery. */
  webhookDelivery(id: string): string {
    return this.at('webhooks/queue/<delivery>.json', { delivery: id });
  }
  get sessions(): string {
    return this.at('sessions/');
  }
  /** A chat conversation's folder and files. */
  session(id: string): { dir: string; meta: string; conversation: string; events: string } {
    const v = { session: id };
    return { dir: this.at('sessions/<session>/', v), meta: this.at('sessions/<session>/meta.json', v), conversation: this.at('sessions/<session>/conversation.jsonl', v), events: this.at('sessions/<session>/engine-events.jsonl', v) };
  }
  /** The discoveries of a goal or of a team (not of a goal), and their lock. */
  discoveries(owner: { goal: string } | { team: string }): { file: string; lock: string } {
    if ('goal' in owner) return { file: this.at('goals/<goal>/discoveries.json', owner), lock: this.at('goals/<goal>/discoveries.lock', owner) };
    return { file: this.at('teams/<team>/discoveries.json', owner), lock: this.at('teams/<team>/discoveries.lock', owner) };
  }
}

function source(pattern: string): string {
  return pattern.replace(/\/$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/<\w+>/g, '[^/]+');
}

const compiled = STATE_ENTRIES.map((entry) => ({
  entry,
  regex: new RegExp(`^${source(entry.pattern)}$`),
  inside: new RegExp(`^${source(entry.pattern)}/`),
}));

/** `pools/` of `pools/ledger.json`, `` of `config.json`. */
const parentOf = (pattern: string): string => pattern.replace(/\/$/, '').replace(/[^/]+$/, '');

/**
 * The folders of fixed paths (and the root, ``) with an entry that is not a folder directly in them;
 * but names/, whose claims are made in place (never through a temp file), one per run name.
 */
const FOLDERS_OF_FILES = ['', ...STATE_ENTRIES.map((e) => e.pattern).filter((p) => p.endsWith('/') && !p.includes('<') && p !== 'names/')].filter((folder) =>
  STATE_ENTRIES.some((e) => !e.pattern.endsWith('/') && parentOf(e.pattern) === folder),
);

/**
 * A temp file of an atomic write or a lock's take (`.<name>.<pid>.<hex>.tmp`), or the state folder's
 * write probe (`.write-test-<pid>`): the writer's pid is the first group. And a corrupt file set aside.
 */
export const TRANSIENT = [/^\.[^/]+\.(\d+)\.[0-9a-f]+\.tmp$/, /^\.write-test-(\d+)$/];
const SET_ASIDE = /\.corrupt-\d+(-\d+)?$/;

/** A worktree or a container run's home: what is inside is the project's or the agent CLI's, not Switchboard's. */
export function holdsOthersFiles(entry: StateEntry | undefined): boolean {
  return entry?.kind === 'worktree' || entry?.kind === 'home';
}

/**
 * Which entry a path inside the state folder is (relative, `/`-separated), or undefined when the
 * map does not know it. Anything inside a worktree or a container run's home counts as it.
 */
export function describeStatePath(relative: string): StateEntry | undefined {
  const rel = relative.split(path.sep).join('/').replace(/\/$/, '');
  const base = path.posix.basename(rel);
  if (TRANSIENT.some((r) => r.test(base))) return TRANSIENT_ENTRY;
  if (SET_ASIDE.test(base)) return describeStatePath(rel.replace(SET_ASIDE, '')) && SET_ASIDE_ENTRY;
  const found = compiled.find((c) => c.regex.test(rel));
  if (found) return found.entry;
  return compiled.find((c) => holdsOthersFiles(c.entry) && c.inside.test(rel))?.entry;
}

/** The state folder as a tree, one line per entry (the README shows exactly this). */
export function stateTree(): string {
  return STATE_ENTRIES.map((entry) => {
    const parts = entry.pattern.replace(/\/$/, '').split('/');
    const name = `${'  '.repeat(parts.length - 1)}${parts.at(-1)}${entry.pattern.endsWith('/') ? '/' : ''}`;
    return `${name.padEnd(34)}  ${entry.about}`;
  }).join('\n');
}
