/**
 * Every operation registered as a language model tool (`vscode.lm.registerTool`), so Copilot's
 * agent mode, any participant and `@switchboard`'s own loop can run and watch agents with no MCP
 * server or token. Each tool is a thin view onto its operation: destructive ones (kill, shut down,
 * merge, roll back) ask the user first, with the call's arguments shown.
 */
import * as vscode from 'vscode';
import { OPERATIONS } from '../../ops/operations';
import type { Operation } from '../../ops/operation';
import type { ChatOps } from '../../chat/chatOps';
import { toolResultText } from '../../chat/toolResult';
import { confirmationTitle, isDestructive, toolName } from '../../chat/toolManifest';

function tool(op: Operation, ops: ChatOps): vscode.LanguageModelTool<Record<string, unknown>> {
  return {
    prepareInvocation: ({ input }) => ({
      invocationMessage: `${op.title}…`,
      // The question names what the call acts on; VS Code shows the call's whole input under the message.
      ...(isDestructive(op) ? { confirmationMessages: { title: confirmationTitle(op, input), message: op.description } } : {}),
    }),
    invoke: async ({ input }, token) => {
      const abort = new AbortController();
      const listener = token.onCancellationRequested(() => abort.abort());
      try {
        const answer = await ops.call(op.name, input ?? {}, abort.signal, undefined, 'chat:tool');
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(toolResultText(answer))]);
      } finally {
        listener.dispose();
      }
    },
  };
}

export function registerTools(ops: ChatOps): vscode.Disposable[] {
  return OPERATIONS.map((op) => vscode.lm.registerTool(toolName(op), tool(op, ops)));
}
