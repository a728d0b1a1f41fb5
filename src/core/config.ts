/** Settings the core needs, the same for the extension (from VS Code settings) and the CLI (from config.json). */
import { readJsonFile } from './store/atomicFile';
import { StateMap } from './state/stateMap';
import { DEFAULT_PRICES, type PriceTable } from './pricing';
import type { PoolLimits } from './pools/pools';
import { CONFIG_FIELDS, configSchemaFor, type ConfigFile } from './configSchema';
import { checkFile, fileStyle } from './zodIssues';
import type { Role } from './teams/roles';
import type { RedactionConfig } from './redact';
import type { WebhookConfig } from './webhooks/webhookEvents';
import { DEFAULT_CONTAINERS, type ContainersConfig } from './containers/containerPlan';
import type { RunnerProtocol } from './runners/types';
import { DEFAULT_BREAKER_POLICY, type BreakerPolicy } from './gates/breakerState';
import type { GateSpec } from './gates/gate';

export interface RunnerConfig {
  /** Binary name or path. */
  binary?: string;
  extraArgs?: string[];
  model?: string;
  /** The custom runner's command template. */
  command?: string;
  /** Passed to the CLI's permission / approval / sandbox flag (see RunnerSettings.permissionMode). */
  permissionMode?: string;
  /** Caps the CLI's own retries of failed model calls, where it has a knob for it (see RunnerSettings.maxRetries). */
  maxRetries?: number;
  /** `acp` (or Codex's `app-server`) or `json`, for runners whose CLI speaks both (see RunnerSettings.protocol). */
  protocol?: RunnerProtocol;
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
  /** Told of what happens by a signed POST each. */
  webhooks: WebhookConfig[];
  /** More secrets to redact: patterns and literal values. */
  redaction: RedactionConfig;
  /** How container runs (backends docker and swarm) are made: image, limits, network, credentials. */
  containers: ContainersConfig;
  goals: GoalsConfig;
  /** The gates' circuit breakers: failures in a row that open one, the recovery time, the trial runs when half-open. */
  gates: BreakerPolicy;
}

/** How goals are watched and judged. */
export interface GoalsConfig {
  /** The part of a budget (0..1] past which a goal warns. */
  budgetWarningAt: number;
  /** The evaluator's rubric: each dimension it scores, and its weight. */
  evaluatorRubric: Record<string, number>;
  /** The gates of a goal given none (those detected in the workspace otherwise). */
  gates: GateSpec[];
}

/** The evaluator's dimensions and weights unless configured. */
export const DEFAULT_RUBRIC: Readonly<Record<string, number>> = { correctness: 0.5, safety: 0.3, style: 0.2 };

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
  webhooks: [],
  redaction: { patterns: [], secrets: [] },
  containers: DEFAULT_CONTAINERS,
  goals: { budgetWarningAt: 0.8, evaluatorRubric: { ...DEFAULT_RUBRIC }, gates: [] },
  gates: DEFAULT_BREAKER_POLICY,
};

export function mergeConfig(partial: Partial<SwitchboardConfig>): SwitchboardConfig {
  return {
    ...DEFAULT_CONFIG,
    ...partial,
    runners: { ...DEFAULT_CONFIG.runners, ...partial.runners },
    prices: { ...DEFAULT_CONFIG.prices, ...partial.prices },
    pools: { ...DEFAULT_CONFIG.pools, ...partial.pools },
    teams: { ...DEFAULT_CONFIG.teams, ...partial.teams },
    redaction: { ...DEFAULT_CONFIG.redaction, ...partial.redaction },
    containers: { ...DEFAULT_CONFIG.containers, ...partial.containers },
    goals: { ...DEFAULT_CONFIG.goals, ...partial.goals },
    gates: { ...DEFAULT_CONFIG.gates, ...partial.gates },
  };
}

/** A gate as config.json and the settings give it. */
export interface ConfiguredGate {
  name: string;
  command: string;
  required?: boolean;
  timeoutSecs?: number;
}

/** A configured gate as the core runs it. */
export function gateFromConfig(gate: ConfiguredGate): GateSpec {
  return { name: gate.name, command: gate.command, ...(gate.required !== undefined ? { required: gate.required } : {}), ...(gate.timeoutSecs ? { timeoutMs: Math.round(gate.timeoutSecs * 1000) } : {}) };
}

/** Checks a parsed config.json: what is wrong, naming the field, or undefined when it is good. */
export function configProblem(value: unknown): string | undefined {
  const checked = checkFile(configSchemaFor(value), value, fileStyle('the file'));
  return checked.ok ? undefined : checked.problem;
}

/** What a good file sets, for mergeConfig (which merges `teams` over the default field by field). */
function fromFile({ $schema: _schema, version: _version, runners, teams, webhooks, redaction, containers, goals, gates, ...rest }: ConfigFile): Partial<SwitchboardConfig> {
  // A runner's settings are never undefined in parsed JSON; the schema's type only allows it.
  return {
    ...rest,
    ...(runners ? { runners: runners as Record<string, RunnerConfig> } : {}),
    ...(teams ? { teams: teams as TeamsConfig } : {}),
    ...(webhooks ? { webhooks: webhooks.map(webhookWithDefaults) } : {}),
    ...(containers ? { containers: { ...DEFAULT_CONTAINERS, ...containers } } : {}),
    ...(redaction ? { redaction: { patterns: redaction.patterns ?? [], secrets: redaction.secrets ?? [] } } : {}),
    ...(goals ? { goals: { ...DEFAULT_CONFIG.goals, ...goals, gates: (goals.gates ?? []).map(gateFromConfig) } } : {}),
    ...(gates ? { gates: { ...DEFAULT_CONFIG.gates, ...gates } } : {}),
  };
}

/** A webhook as config gives it, its defaults filled in (all events, format json). */
export function webhookWithDefaults(hook: { url: string; events?: WebhookConfig['events']; secret?: string; format?: WebhookConfig['format'] }): WebhookConfig {
  return { url: hook.url, events: hook.events ?? [], format: hook.format ?? 'json', ...(hook.secret ? { secret: hook.secret } : {}) };
}

/** Reads `<stateDir>/config.json` (optional). A broken file is set aside and defaults are used; `warning` says so. */
export function loadConfigFile(stateDir: string): { config: SwitchboardConfig; warning?: string } {
  const file = new StateMap(stateDir).config;
  const read = readJsonFile<unknown>(file, configProblem);
  if (read.kind === 'ok') return { config: mergeConfig(fromFile(configSchemaFor(read.value).parse(read.value))) };
  if (read.kind === 'missing') return { config: DEFAULT_CONFIG };
  return { config: DEFAULT_CONFIG, warning: `${file} was unreadable (${read.reason}); it was set aside as ${read.setAsideAs} and defaults are used.` };
}

/** Every field of the core's config can be set in the file (the compiler names one that cannot). */
const _everyField: Record<keyof SwitchboardConfig, unknown> = CONFIG_FIELDS;
