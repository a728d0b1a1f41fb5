/**
 * Where a run goes (`local`, `docker[:context]`, `swarm[:context]`) and, for a container, what it is
 * made of: the image, limits and network from the `containers` settings, the engine's endpoint (the
 * context's, else DOCKER_HOST, else the local socket), the folders it sees (its worktree, and the
 * repository's git folder a worktree needs) and its own home.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';

// Loaded when a container run is planned (the bundler makes it lazy): the Docker client and node:http
// cost every local run's start some milliseconds. A require, not an import(): see mcpService.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadDockerApi = (): typeof import('./dockerApi') => require('./dockerApi') as typeof import('./dockerApi');

export type BackendKind = 'local' | 'docker' | 'swarm';
export const BACKEND_KINDS: readonly BackendKind[] = ['local', 'docker', 'swarm'];

export interface Backend {
  kind: BackendKind;
  /** The Docker context named after the colon (`docker:build-box`). */
  context?: string;
}

/** The `containers` settings. */
export interface ContainersConfig {
  /** The agent image (default `switchboard-agent:latest`, built by `npm run docker-image`). */
  image: string;
  cpus?: number;
  /** A memory limit: bytes, or a number with k, m or g. */
  memory?: string;
  /** `bridge` (default), `host`, `none` or a network's name. */
  network: string;
  /** Names of the host's environment variables passed to the agent (its credentials), besides the run's own. */
  env: string[];
  /** Files (credentials the CLI reads) mounted read-only at the same path. */
  files: string[];
  /** ssh options for ssh:// engines (`-i key`, `-o UserKnownHostsFile=…`), put before the host. */
  sshArgs?: string[];
  /** Docker contexts runs go to (`--backend docker:<context>`): Doctor checks each one's engine. */
  contexts?: string[];
  /** Whether the worktree is copied into a volume (and back) instead of mounted: `auto` copies for an engine not on this machine. */
  copyWorktree?: CopyWorktree;
}

export type CopyWorktree = 'auto' | 'always' | 'never';

/** Whether a docker run's worktree is copied: `auto` copies unless the engine listens on this machine's unix socket (ssh://, tcp:// engines do not share its files). */
export function copiesWorktree(mode: CopyWorktree | undefined, endpoint: string): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return !endpoint.startsWith('unix://');
}

export const DEFAULT_CONTAINERS: ContainersConfig = {
  image: 'switchboard-agent:latest',
  network: 'bridge',
  env: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL', 'DASHSCOPE_API_KEY', 'OPENROUTER_API_KEY', 'GITHUB_TOKEN', 'GH_TOKEN', 'COPILOT_GITHUB_TOKEN'],
  files: [],
  sshArgs: [],
};

/** What the supervisor needs to start (or find again) a run's container; in its plan. */
export interface ContainerPlan {
  backend: 'docker' | 'swarm';
  /** unix:///…, tcp://… or ssh://… */
  endpoint: string;
  /** The ssh options of an ssh:// endpoint. */
  sshArgs?: string[];
  context?: string;
  image: string;
  cwd: string;
  /** Folders mounted read-write at the same path. */
  mounts: string[];
  /** The run's own home on the host (mounted at CONTAINER_HOME). */
  home: string;
  files: string[];
  /** Names of host variables passed in. */
  passEnv: string[];
  /** Names of the run's own variables (its MCP token, a team's, the runner's), passed too. */
  runEnv: string[];
  network: string;
  cpus?: number;
  memoryBytes?: number;
  /** uid:gid the agent runs as (the host user's, so the files it writes in the worktree are theirs). */
  user?: string;
  /** Copy mode: the worktree (mounts[0]) is a volume of the run's, uploaded before the start and copied back at the end (see worktreeCopy). */
  copy?: WorktreeCopyPlan;
}

export interface WorktreeCopyPlan {
  /** The run's volume. */
  volume: string;
  /** Where the list of the files uploaded is kept (for the copy back, also by a supervisor that takes the run over). */
  manifest: string;
}

/** `local`, `docker`, `docker:build-box`, `swarm`, `swarm:ctx`. */
export function parseBackend(text: string | undefined): Backend {
  if (!text) return { kind: 'local' };
  const [kind, context] = text.split(/:(.*)/s, 2) as [string, string | undefined];
  if (!BACKEND_KINDS.includes(kind as BackendKind) || (kind === 'local' && context)) {
    throw new SwitchboardError('invalid_argument', `Unknown backend "${text}".`, 'Use local, docker, docker:<context>, swarm or swarm:<context>.');
  }
  return { kind: kind as BackendKind, ...(context ? { context } : {}) };
}

export function backendName(backend: Backend): string {
  return backend.context ? `${backend.kind}:${backend.context}` : backend.kind;
}

/** The engine a backend talks to: its context's endpoint, else DOCKER_HOST, else the local socket. */
export function endpointOf(backend: Backend, env: NodeJS.ProcessEnv): string {
  const { DEFAULT_DOCKER_HOST, parseDockerHost } = loadDockerApi();
  let url = env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  if (backend.context) {
    try {
      url = execFileSync('docker', ['context', 'inspect', backend.context, '--format', '{{.Endpoints.docker.Host}}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).trim();
    } catch (error) {
      throw new SwitchboardError('invalid_argument', `The Docker context "${backend.context}" could not be read: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`, 'List them with `docker context ls`.');
    }
  }
  parseDockerHost(url);
  return url;
}

/** The ssh options a plan keeps: those of the settings, for an ssh:// endpoint. */
export function sshArgsFor(endpoint: string, config: Pick<ContainersConfig, 'sshArgs'>): string[] | undefined {
  return endpoint.startsWith('ssh://') && config.sshArgs?.length ? config.sshArgs : undefined;
}

/** 2g, 512m, 1024k or bytes. */
export function parseMemory(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!match) throw new SwitchboardError('invalid_argument', `The memory limit "${text}" is not a size.`, 'Write it as 512m, 2g or a number of bytes.');
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}

/** The folders a run in `cwd` sees: its git worktree's top (else `cwd`), and the repository's git folder when that lies outside it. */
export function runMounts(cwd: string): string[] {
  let top = cwd;
  let common: string | undefined;
  try {
    const [shown, gitCommon] = execFileSync('git', ['-C', cwd, 'rev-parse', '--show-toplevel', '--git-common-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim().split('\n');
    if (shown) top = shown;
    if (gitCommon) common = path.resolve(cwd, gitCommon);
  } catch {
    // Not in a git repository: the folder alone.
  }
  return [top, ...(common && !isInside(common, top) ? [common] : [])];
}

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** The plan of a run's container (its home made, owner-only). */
export function containerPlan(backend: Backend, config: ContainersConfig, cwd: string, home: string, env: NodeJS.ProcessEnv, runEnv: string[], run?: { id: string; copiedWorktree: string }): ContainerPlan {
  if (backend.kind === 'local') throw new SwitchboardError('internal', 'a local run has no container');
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  const endpoint = endpointOf(backend, env);
  const sshArgs = sshArgsFor(endpoint, config);
  // A swarm job runs on any node: its worktree is never copied (see README).
  const copy = run && backend.kind === 'docker' && copiesWorktree(config.copyWorktree, endpoint) ? { volume: `sb-${run.id}-worktree`, manifest: run.copiedWorktree } : undefined;
  return {
    backend: backend.kind,
    endpoint,
    ...(sshArgs ? { sshArgs } : {}),
    ...(backend.context ? { context: backend.context } : {}),
    image: config.image,
    cwd,
    mounts: runMounts(cwd),
    home,
    files: config.files.map((file) => path.resolve(file)),
    passEnv: config.env,
    runEnv,
    network: config.network,
    ...(config.cpus ? { cpus: config.cpus } : {}),
    ...(config.memory ? { memoryBytes: parseMemory(config.memory) } : {}),
    ...(uid !== undefined && gid !== undefined ? { user: `${uid}:${gid}` } : {}),
    ...(copy ? { copy } : {}),
  };
}

/** The variables a container gets from the host: only those named, when set. */
export function passedEnv(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] !== undefined ? [[name, env[name]!]] : [])));
}
