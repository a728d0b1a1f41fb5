/** Workspace trust: nothing that starts or feeds an agent happens in an untrusted workspace. */
import * as vscode from 'vscode';
import { SwitchboardError } from '../core/errors';

/** Refuses, with the reason, anything that would start or feed an agent in an untrusted workspace. */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new SwitchboardError('invalid_argument', `This workspace is not trusted, so Switchboard will not ${action}.`, 'Trust the workspace (Manage Workspace Trust) if you want agents to run here.');
  }
}
