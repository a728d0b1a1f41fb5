/** Copy MCP Configuration for Claude Code / Codex / Gemini CLI / Cursor: the exact snippet, token included, on the clipboard. */
import * as vscode from 'vscode';
import { clientConfig, type ClientId } from '../../mcp/clientConfigs';
import type { Services } from '../services';

export async function copyMcpConfiguration(services: Services, client: ClientId): Promise<void> {
  const host = await services.mcp.start();
  const config = clientConfig(client, host.url, services.mcp.token());
  await vscode.env.clipboard.writeText(config.text);
  services.logger.info(`[mcp] copied the ${config.displayName} configuration for ${host.url}`);
  void vscode.window.showInformationMessage(`Copied the ${config.displayName} configuration for ${host.url} (it holds the server's token). ${config.where}`);
}
