/** What command handlers work with; built once in the composition root. */
import * as vscode from 'vscode';
import { SwitchboardError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { RunRegistry } from '../core/registry/registry';
import type { TeamService } from '../core/teams/teamService';
import type { McpHosting } from './mcp/mcpHosting';
import type { OutputDocuments } from './outputDocuments';
import type { RunnerAvailability } from './runnerAvailability';
import type { ExtensionSettings } from './settings';

export interface Services {
  registry(): RunRegistry;
  /** Teams over the same state folder; the ones started in this window run in the extension host. */
  teams(): TeamService;
  settings(): ExtensionSettings;
  availability: RunnerAvailability;
  outputs: OutputDocuments;
  mcp: McpHosting;
  logger: Logger;
}

/** Refuses, with the reason, anything that would start or feed an agent in an untrusted workspace. */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new SwitchboardError('invalid_argument', `This workspace is not trusted, so Switchboard will not ${action}.`, 'Trust the workspace (Manage Workspace Trust) if you want agents to run here.');
  }
}
