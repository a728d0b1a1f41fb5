/** The extension's settings (`switchboard.*`), turned into the core's config. */
import * as vscode from 'vscode';
import { DEFAULT_CONFIG, mergeConfig, type RunnerConfig, type SwitchboardConfig, type TeamsConfig } from '../core/config';
import { defaultStateDir } from '../core/paths';
import type { PoolLimits } from '../core/pools/pools';
import type { PriceTable } from '../core/pricing';
import type { Role } from '../core/teams/roles';

export interface ExtensionSettings {
  config: SwitchboardConfig;
  stateDir: string;
  defaultRunner: string;
  notifyOnFailure: boolean;
  notifyOnWaiting: boolean;
  /** The MCP server's port; 0 picks the one used last time if free, else any free one. */
  mcpPort: number;
  /** Give agents whose CLI takes an MCP server on its command line (Claude Code, Codex) this one. */
  mcpForAgents: boolean;
}

const AGENT_RUNNERS = ['claude', 'codex', 'gemini', 'qwen'] as const;

export function readSettings(): ExtensionSettings {
  const s = vscode.workspace.getConfiguration('switchboard');
  const runners: Record<string, RunnerConfig> = {};
  for (const id of AGENT_RUNNERS) {
    runners[id] = {
      binary: s.get<string>(`runners.${id}.path`) || undefined,
      extraArgs: s.get<string[]>(`runners.${id}.extraArgs`) ?? [],
      model: s.get<string>(`runners.${id}.model`) || undefined,
      permissionMode: s.get<string>(`runners.${id}.permissionMode`) || undefined,
    };
  }
  runners.custom = { command: s.get<string>('runners.custom.command') || undefined };
  const stateDirectory = s.get<string>('stateDirectory')?.trim();
  return {
    config: mergeConfig({
      runners,
      prices: { ...DEFAULT_CONFIG.prices, ...(s.get<PriceTable>('prices') ?? {}) },
      retentionHours: s.get<number>('retentionHours') ?? DEFAULT_CONFIG.retentionHours,
      killGraceMs: (s.get<number>('killGraceSeconds') ?? DEFAULT_CONFIG.killGraceMs / 1000) * 1000,
      agentNiceness: s.get<boolean>('runAgentsAtLowPriority') === false ? 0 : DEFAULT_CONFIG.agentNiceness,
      maxWorkers: s.get<number>('maxConcurrentAgents') ?? DEFAULT_CONFIG.maxWorkers,
      pools: { ...DEFAULT_CONFIG.pools, ...(s.get<Record<string, PoolLimits>>('pools') ?? {}) },
      teams: readTeams(s),
    }),
    stateDir: stateDirectory || defaultStateDir(),
    defaultRunner: s.get<string>('defaultRunner') ?? 'claude',
    notifyOnFailure: s.get<boolean>('notifications.onFailure') ?? true,
    notifyOnWaiting: s.get<boolean>('notifications.onWaiting') ?? true,
    mcpPort: s.get<number>('mcp.port') ?? 0,
    mcpForAgents: s.get<boolean>('mcp.giveToAgents') ?? true,
  };
}

/** `switchboard.teams.*`: roles over the built-in ones, and what each new worktree gets. */
function readTeams(s: vscode.WorkspaceConfiguration): TeamsConfig {
  const defaults = DEFAULT_CONFIG.teams;
  const setup = s.get<string>('teams.setupCommand')?.trim();
  return {
    roles: s.get<Record<string, Partial<Role>>>('teams.roles') ?? defaults.roles,
    ...(setup ? { setup } : {}),
    copyFiles: s.get<string[]>('teams.copyFiles') ?? defaults.copyFiles,
    maxAttempts: Math.max(1, Math.floor(s.get<number>('teams.maxAttempts') ?? defaults.maxAttempts)),
  };
}
