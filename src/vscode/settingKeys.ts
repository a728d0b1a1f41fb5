/**
 * Every `switchboard.*` setting the extension reads, with the value the code falls back to when
 * VS Code gives none. Kept free of `vscode` so a plain test can check package.json agrees.
 */
import { DEFAULT_CONFIG, type ConfiguredGate } from '../core/config';
import type { PoolLimits } from '../core/pools/pools';
import type { PriceTable } from '../core/pricing';
import type { Role } from '../core/teams/roles';
import { getRunner, PROTOCOL_RUNNER_IDS } from '../core/runners/runnerTable';
import type { RunnerProtocol } from '../core/runners/types';
import type { CustomPattern } from '../core/redact';
import type { CopyWorktree } from '../core/containers/containerPlan';
import type { WebhookConfig } from '../core/webhooks/webhookEvents';

/** A setting's key under `switchboard.`, typed by its value. */
export interface Setting<T> {
  readonly key: string;
  readonly fallback: T;
}

const setting = <T>(key: string, fallback: T): Setting<T> => ({ key, fallback });

/** The runners with their own path, arguments, model and permission mode settings (`custom` has a command). */
export const AGENT_RUNNERS = ['claude', 'codex', 'gemini', 'qwen', 'opencode', 'kilo', 'copilot', 'cline'] as const;

/** The settings of one agent runner, by the RunnerConfig field they fill. */
export const runnerSettings = (id: (typeof AGENT_RUNNERS)[number]) => ({
  binary: setting(`runners.${id}.path`, ''),
  extraArgs: setting<string[]>(`runners.${id}.extraArgs`, []),
  model: setting(`runners.${id}.model`, ''),
  permissionMode: setting(`runners.${id}.permissionMode`, ''),
});

/** The runners whose CLI has a knob for its own retries of failed model calls (`Runner.retryCap`), and their setting (null: the CLI's own). */
export const RETRY_CAP_RUNNERS = AGENT_RUNNERS.filter((id) => getRunner(id).retryCap);
export const maxRetriesSetting = (id: (typeof AGENT_RUNNERS)[number]) => setting<number | null>(`runners.${id}.maxRetries`, null);
/** The runners whose CLI speaks a live protocol (ACP, Codex's app-server) as well as one-shot JSON, and their protocol setting ('' : the runner's default). */
export const PROTOCOL_RUNNERS = AGENT_RUNNERS.filter((id) => PROTOCOL_RUNNER_IDS.includes(id));
export const protocolSetting = (id: (typeof AGENT_RUNNERS)[number]) => setting<'' | RunnerProtocol>(`runners.${id}.protocol`, '');
/** When a finished run is told: every time, only when the window is not focused, or never. */
export type RunFinishedNotice = 'always' | 'unfocused' | 'never';

/** `switchboard.containers.*`: the `containers` config of container runs (0 CPUs, '' memory: no limit). */
export const CONTAINER_SETTINGS = {
  containersImage: setting('containers.image', DEFAULT_CONFIG.containers.image),
  containersCpus: setting('containers.cpus', 0),
  containersMemory: setting('containers.memory', ''),
  containersNetwork: setting('containers.network', DEFAULT_CONFIG.containers.network),
  containersEnv: setting<string[]>('containers.env', DEFAULT_CONFIG.containers.env),
  containersFiles: setting<string[]>('containers.files', DEFAULT_CONFIG.containers.files),
  containersSshArgs: setting<string[]>('containers.sshArgs', DEFAULT_CONFIG.containers.sshArgs ?? []),
  containersContexts: setting<string[]>('containers.contexts', []),
  containersCopyWorktree: setting<CopyWorktree>('containers.copyWorktree', 'auto'),
};

export const SETTINGS = {
  customCommand: setting('runners.custom.command', ''),
  prices: setting<PriceTable>('prices', {}),
  retentionHours: setting('retentionHours', DEFAULT_CONFIG.retentionHours),
  killGraceSeconds: setting('killGraceSeconds', DEFAULT_CONFIG.killGraceMs / 1000),
  runAgentsAtLowPriority: setting('runAgentsAtLowPriority', DEFAULT_CONFIG.agentNiceness > 0),
  maxConcurrentAgents: setting('maxConcurrentAgents', DEFAULT_CONFIG.maxWorkers),
  pools: setting<Record<string, PoolLimits>>('pools', DEFAULT_CONFIG.pools),
  stateDirectory: setting('stateDirectory', ''),
  defaultRunner: setting('defaultRunner', 'claude'),
  notifyOnFailure: setting('notifications.onFailure', true),
  notifyOnWaiting: setting('notifications.onWaiting', true),
  notifyOnRunFinished: setting<RunFinishedNotice>('notifications.onRunFinished', 'unfocused'),
  webhooks: setting<Partial<WebhookConfig>[]>('webhooks', DEFAULT_CONFIG.webhooks),
  redactionPatterns: setting<CustomPattern[]>('redaction.patterns', DEFAULT_CONFIG.redaction.patterns),
  redactionSecrets: setting<string[]>('redaction.secrets', DEFAULT_CONFIG.redaction.secrets),
  mcpPort: setting('mcp.port', 0),
  mcpForAgents: setting('mcp.giveToAgents', true),
  mcpWithWindow: setting('mcp.startWithWindow', true),
  teamRoles: setting<Record<string, Partial<Role>>>('teams.roles', DEFAULT_CONFIG.teams.roles),
  teamSetup: setting('teams.setupCommand', ''),
  teamCopyFiles: setting<string[]>('teams.copyFiles', DEFAULT_CONFIG.teams.copyFiles),
  teamMaxAttempts: setting('teams.maxAttempts', DEFAULT_CONFIG.teams.maxAttempts),
  goalBudgetWarningAt: setting('goals.budgetWarningAt', DEFAULT_CONFIG.goals.budgetWarningAt),
  goalEvaluatorRubric: setting<Record<string, number>>('goals.evaluatorRubric', DEFAULT_CONFIG.goals.evaluatorRubric),
  goalGates: setting<ConfiguredGate[]>('goals.gates', []),
  gateFailureThreshold: setting('gates.failureThreshold', DEFAULT_CONFIG.gates.failureThreshold),
  gateRecoveryTimeoutSecs: setting('gates.recoveryTimeoutSecs', DEFAULT_CONFIG.gates.recoveryTimeoutSecs),
  gateHalfOpenCalls: setting('gates.halfOpenCalls', DEFAULT_CONFIG.gates.halfOpenCalls),
  ...CONTAINER_SETTINGS,
};

/** Every setting read, the runners' included. */
export const ALL_SETTINGS: readonly Setting<unknown>[] = [...Object.values(SETTINGS), ...AGENT_RUNNERS.flatMap((id) => Object.values(runnerSettings(id))), ...RETRY_CAP_RUNNERS.map(maxRetriesSetting), ...PROTOCOL_RUNNERS.map(protocolSetting)];
