/** The extension's settings (`switchboard.*`), turned into the core's config. */
import * as vscode from 'vscode';
import { DEFAULT_CONFIG, gateFromConfig, mergeConfig, webhookWithDefaults, type GoalsConfig, type RunnerConfig, type SwitchboardConfig, type TeamsConfig } from '../core/config';
import type { WebhookConfig } from '../core/webhooks/webhookEvents';
import { defaultStateDir } from '../core/state/stateDir';
import type { ContainersConfig } from '../core/containers/containerPlan';
import { AGENT_RUNNERS, CONTAINER_SETTINGS, maxRetriesSetting, PROTOCOL_RUNNERS, protocolSetting, RETRY_CAP_RUNNERS, runnerSettings, SETTINGS, type RunFinishedNotice, type Setting } from './settingKeys';

export interface ExtensionSettings {
  config: SwitchboardConfig;
  stateDir: string;
  defaultRunner: string;
  notifyOnFailure: boolean;
  notifyOnWaiting: boolean;
  notifyOnRunFinished: RunFinishedNotice;
  /** The MCP server's port; 0 picks the one used last time if free, else any free one. */
  mcpPort: number;
  /** Give agents whose CLI takes an MCP server on its command line (Claude Code, Codex) this one. */
  mcpForAgents: boolean;
  /** Start the listener (HTTP API and MCP) as soon as a state folder is open. */
  mcpWithWindow: boolean;
}

type Get = <T>(setting: Setting<T>) => T;

export function readSettings(): ExtensionSettings {
  const s = vscode.workspace.getConfiguration('switchboard');
  const get: Get = (setting) => s.get(setting.key) ?? setting.fallback;
  const runners: Record<string, RunnerConfig> = {};
  for (const id of AGENT_RUNNERS) {
    const keys = runnerSettings(id);
    runners[id] = {
      binary: get(keys.binary) || undefined,
      extraArgs: get(keys.extraArgs),
      model: get(keys.model) || undefined,
      permissionMode: get(keys.permissionMode) || undefined,
      maxRetries: RETRY_CAP_RUNNERS.includes(id) ? get(maxRetriesSetting(id)) ?? undefined : undefined,
      protocol: PROTOCOL_RUNNERS.includes(id) ? get(protocolSetting(id)) || undefined : undefined,
    };
  }
  runners.custom = { command: get(SETTINGS.customCommand) || undefined };
  const stateDirectory = get(SETTINGS.stateDirectory).trim();
  return {
    config: mergeConfig({
      runners,
      prices: { ...DEFAULT_CONFIG.prices, ...get(SETTINGS.prices) },
      retentionHours: get(SETTINGS.retentionHours),
      killGraceMs: get(SETTINGS.killGraceSeconds) * 1000,
      agentNiceness: get(SETTINGS.runAgentsAtLowPriority) === false ? 0 : DEFAULT_CONFIG.agentNiceness,
      maxWorkers: get(SETTINGS.maxConcurrentAgents),
      pools: { ...DEFAULT_CONFIG.pools, ...get(SETTINGS.pools) },
      teams: readTeams(get),
      webhooks: readWebhooks(get),
      redaction: { patterns: get(SETTINGS.redactionPatterns), secrets: get(SETTINGS.redactionSecrets) },
      containers: readContainers(get),
      goals: readGoals(get),
      gates: {
        failureThreshold: Math.max(1, Math.floor(get(SETTINGS.gateFailureThreshold))),
        recoveryTimeoutSecs: Math.max(0, get(SETTINGS.gateRecoveryTimeoutSecs)),
        halfOpenCalls: Math.max(1, Math.floor(get(SETTINGS.gateHalfOpenCalls))),
      },
    }),
    stateDir: stateDirectory || defaultStateDir(),
    defaultRunner: get(SETTINGS.defaultRunner),
    notifyOnFailure: get(SETTINGS.notifyOnFailure),
    notifyOnWaiting: get(SETTINGS.notifyOnWaiting),
    notifyOnRunFinished: get(SETTINGS.notifyOnRunFinished),
    mcpPort: get(SETTINGS.mcpPort),
    mcpForAgents: get(SETTINGS.mcpForAgents),
    mcpWithWindow: get(SETTINGS.mcpWithWindow),
  };
}

/** `switchboard.teams.*`: roles over the built-in ones, and what each new worktree gets. */
function readTeams(get: Get): TeamsConfig {
  const setup = get(SETTINGS.teamSetup).trim();
  return {
    roles: get(SETTINGS.teamRoles),
    ...(setup ? { setup } : {}),
    copyFiles: get(SETTINGS.teamCopyFiles),
    maxAttempts: Math.max(1, Math.floor(get(SETTINGS.teamMaxAttempts))),
  };
}

/** `switchboard.goals.*`: the budget warning mark, the evaluator's rubric (one with no weight above 0 is not used), the configured gates (those with a name and a command). */
function readGoals(get: Get): GoalsConfig {
  const warnAt = get(SETTINGS.goalBudgetWarningAt);
  const rubric = get(SETTINGS.goalEvaluatorRubric);
  return {
    budgetWarningAt: warnAt > 0 && warnAt <= 1 ? warnAt : DEFAULT_CONFIG.goals.budgetWarningAt,
    evaluatorRubric: Object.values(rubric).some((w) => typeof w === 'number' && w > 0) ? rubric : DEFAULT_CONFIG.goals.evaluatorRubric,
    gates: get(SETTINGS.goalGates).filter((g) => typeof g?.name === 'string' && g.name && typeof g.command === 'string' && g.command.trim()).map(gateFromConfig),
  };
}

/** `switchboard.containers.*`: the image, limits (0 CPUs and '' memory: none), network and what is passed in. */
function readContainers(get: Get): ContainersConfig {
  const cpus = get(SETTINGS.containersCpus);
  const memory = get(SETTINGS.containersMemory).trim();
  return {
    image: get(SETTINGS.containersImage).trim() || DEFAULT_CONFIG.containers.image,
    network: get(SETTINGS.containersNetwork).trim() || DEFAULT_CONFIG.containers.network,
    env: get(SETTINGS.containersEnv),
    files: get(SETTINGS.containersFiles),
    sshArgs: get(SETTINGS.containersSshArgs),
    contexts: get(SETTINGS.containersContexts),
    copyWorktree: get(SETTINGS.containersCopyWorktree),
    ...(cpus > 0 ? { cpus } : {}),
    ...(memory ? { memory } : {}),
  };
}

/** Whether any `switchboard.containers.*` setting is set (not left at its default): container runs are then offered in Run Agent. */
export function containersConfigured(): boolean {
  const s = vscode.workspace.getConfiguration('switchboard');
  return Object.values(CONTAINER_SETTINGS).some((setting) => {
    const found = s.inspect(setting.key);
    return found?.globalValue !== undefined || found?.workspaceValue !== undefined || found?.workspaceFolderValue !== undefined;
  });
}

/** `switchboard.webhooks`: those with an address, their defaults filled in (VS Code has checked them against the schema). */
function readWebhooks(get: Get): WebhookConfig[] {
  return get(SETTINGS.webhooks)
    .filter((hook): hook is Partial<WebhookConfig> & { url: string } => typeof hook?.url === 'string' && /^https?:\/\//.test(hook.url))
    .map(webhookWithDefaults);
}
