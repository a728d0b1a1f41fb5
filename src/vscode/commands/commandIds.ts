/** Every command the extension contributes (kept free of `vscode` so a plain test can check package.json agrees). */
export const COMMAND_IDS = [
  'switchboard.runAgent',
  'switchboard.steerAgent',
  'switchboard.interruptAgent',
  'switchboard.killAgent',
  'switchboard.killAllAgents',
  'switchboard.showAgentOutput',
  'switchboard.showAgentRawOutput',
  'switchboard.resumeAgentSession',
  'switchboard.copySessionId',
  'switchboard.revealFolder',
  'switchboard.removeFromList',
  'switchboard.doctor',
  'switchboard.openSettings',
  'switchboard.copyMcpConfigClaude',
  'switchboard.copyMcpConfigCodex',
  'switchboard.copyMcpConfigGemini',
  'switchboard.copyMcpConfigCursor',
  'switchboard.allowAgentRequest',
  'switchboard.denyAgentRequest',
  'switchboard.poolsStatus',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
