/** Settings the core needs, the same for the extension (from VS Code settings) and the CLI (from config.json). */
import * as path from 'node:path';
import { readJsonFile } from './store/atomicFile';
import { DEFAULT_PRICES, type PriceTable } from './pricing';
import type { PoolLimits } from './pools/pools';
import type { Role } from './teams/roles';

export interface RunnerConfig {
  /** Binary name or path. */
  binary?: string;
  extraArgs?: string[];
  model?: string;
  /** The custom runner's command template. */
  command?: string;
  /** Passed to the CLI's permission / approval / sandbox flag (see RunnerSettings.permissionMode). */
  permissionMode?: string;
}

export interface SwitchboardConfig {
  runners: Record<string, RunnerConfig>;
  prices: PriceTable;
  /** Finished runs and their logs are removed after this many hours. */
  retentionHours: number;
  /** How long a kill waits after the graceful signal before SIGKILL. */
  killGraceMs: number;
  /** Bytes of each run's output kept in memory. */
  outputTailBytes: number;
  /** The CPU niceness agents run at (0 normal to 19 lowest), so that they give way to the editor. */
  agentNiceness: number;
  /** Admission pools by name (`default` takes runs that name none); a run waits in line when its pool is full. */
  pools: Record<string, PoolLimits>;
  /** Runs at once over all pools. */
  maxWorkers: number;
  teams: TeamsConfig;
}

/** How teams are made: roles over the built-in ones, and what each new worktree gets. */
export interface TeamsConfig {
  /** Roles by name, over `planner`, `executor` and `reviewer` (any field may be left out). */
  roles: Record<string, Partial<Role>>;
  /** Run in each new worktree (e.g. `npm ci`); split like a shell would, but no shell runs. */
  setup?: string;
  /** Files copied from the workspace into each new worktree (e.g. `.env`). */
  copyFiles: string[];
  /** Attempts a task gets before it fails for good (2: one retry). */
  maxAttempts: number;
}

export const DEFAULT_CONFIG: SwitchboardConfig = {
  runners: {},
  prices: DEFAULT_PRICES,
  retentionHours: 24 * 7,
  killGraceMs: 5000,
  outputTailBytes: 64 * 1024,
  agentNiceness: 19,
  pools: { default: { maxWorkers: 8 } },
  maxWorkers: 16,
  teams: { roles: {}, copyFiles: [], maxAttempts: 2 },
};

export function mergeConfig(partial: Partial<SwitchboardConfig>): SwitchboardConfig {
  return {
    ...DEFAULT_CONFIG,
    ...partial,
    runners: { ...DEFAULT_CONFIG.runners, ...partial.runners },
    prices: { ...DEFAULT_CONFIG.prices, ...partial.prices },
    pools: { ...DEFAULT_CONFIG.pools, ...partial.pools },
    teams: { ...DEFAULT_CONFIG.teams, ...partial.teams },
  };
}

function validateConfig(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const doc = value as Record<string, unknown>;
  if (doc.version !== undefined && doc.version !== 1) return `unsupported version ${String(doc.version)}`;
  for (const key of ['retentionHours', 'killGraceMs', 'outputTailBytes']) {
    if (doc[key] !== undefined && (typeof doc[key] !== 'number' || (doc[key] as number) < 0)) return `"${key}" must be a non-negative number`;
  }
  if (doc.maxWorkers !== undefined && (typeof doc.maxWorkers !== 'number' || !Number.isInteger(doc.maxWorkers) || doc.maxWorkers < 1)) return '"maxWorkers" must be a whole number of at least 1';
  if (doc.pools !== undefined) {
    if (doc.pools === null || typeof doc.pools !== 'object' || Array.isArray(doc.pools)) return '"pools" must be an object of pool names to { "maxWorkers": n }';
    for (const [name, limits] of Object.entries(doc.pools as Record<string, unknown>)) {
      const max = (limits as PoolLimits | null)?.maxWorkers;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) return `pool "${name}" needs "maxWorkers", a whole number of at least 1`;
    }
  }
  const teamsProblem = validateTeams(doc.teams);
  if (teamsProblem) return teamsProblem;
  const nice = doc.agentNiceness;
  if (nice !== undefined && (typeof nice !== 'number' || !Number.isInteger(nice) || nice < 0 || nice > 19)) return '"agentNiceness" must be a whole number from 0 (normal priority) to 19 (lowest)';
  return undefined;
}

function validateTeams(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return '"teams" must be an object ({ "roles", "setup", "copyFiles", "maxAttempts" })';
  const teams = value as Record<string, unknown>;
  if (teams.setup !== undefined && typeof teams.setup !== 'string') return '"teams.setup" must be a command line (a string)';
  if (teams.copyFiles !== undefined && (!Array.isArray(teams.copyFiles) || teams.copyFiles.some((f) => typeof f !== 'string'))) return '"teams.copyFiles" must be an array of paths';
  const attempts = teams.maxAttempts;
  if (attempts !== undefined && (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1)) return '"teams.maxAttempts" must be a whole number of at least 1';
  if (teams.roles !== undefined) {
    if (teams.roles === null || typeof teams.roles !== 'object' || Array.isArray(teams.roles)) return '"teams.roles" must be an object of role names to { "preamble", "runner", "permissionMode" }';
    for (const [name, role] of Object.entries(teams.roles as Record<string, unknown>)) {
      if (role === null || typeof role !== 'object') return `role "${name}" must be an object`;
      for (const key of ['preamble', 'runner', 'permissionMode']) {
        const field = (role as Record<string, unknown>)[key];
        if (field !== undefined && typeof field !== 'string') return `role "${name}": "${key}" must be a string`;
      }
    }
  }
  return undefined;
}

/** Reads `<stateDir>/config.json` (optional). A broken file is set aside and defaults are used; `warning` says so. */
export function loadConfigFile(stateDir: string): { config: SwitchboardConfig; warning?: string } {
  const file = path.join(stateDir, 'config.json');
  const read = readJsonFile<Partial<SwitchboardConfig>>(file, validateConfig);
  if (read.kind === 'ok') return { config: mergeConfig(read.value) };
  if (read.kind === 'missing') return { config: DEFAULT_CONFIG };
  return { config: DEFAULT_CONFIG, warning: `${file} was unreadable (${read.reason}); it was set aside as ${read.setAsideAs} and defaults are used.` };
}
