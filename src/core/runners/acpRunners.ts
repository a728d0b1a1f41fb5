/**
 * The runners that speak ACP (see acp.ts), each as a variant of its one-shot JSON runner with the same
 * id, binary, settings and environment: Gemini CLI (`--acp`), opencode and Kilo (`acp`), the Copilot
 * CLI (`--acp`). Which of the two a run uses is `runners.<id>.protocol` (see runnerTable.ts).
 */
import { SwitchboardError } from '../errors';
import type { AgentEventBody } from '../runs/types';
import { createAcpConversation, acpInitializeLine, type AcpDialect, type AcpPermissions } from './acp';
import { nativeCopilotBinary, permissionArgs as copilotPermissionArgs } from './copilot';
import { modelsOf, retryText as geminiRetryText } from './gemini';
import { asNumber, asRecord, MCP_SERVER_NAME, type Runner, type StartRequest } from './types';

interface AcpVariant {
  /** The command line's arguments (the binary and environment are the JSON runner's). */
  args(request: StartRequest): string[];
  /** How its permission requests are answered when no person is asked. */
  permissions(request: StartRequest): AcpPermissions;
  dialect?: AcpDialect;
  /** The binary, when it is not the JSON runner's. */
  command?(request: StartRequest): string;
}

/** The host asks a person where it can (VS Code); headless, what the CLI would not do on its own is refused, as in its one-shot mode. */
const hostOrDeny = (request: StartRequest): AcpPermissions => (request.hostApprovals ? 'ask' : 'deny');

function acpVariant(base: Runner, variant: AcpVariant): Runner {
  return {
    ...base,
    steering: 'live',
    // Given in session/new, not on the command line (see acpMcp.ts).
    takesMcpServer: true,
    // Each prompt's result reports that prompt's tokens.
    usageScope: 'turn',
    costScope: undefined,
    reportsCost: false,
    retryCap: undefined,
    build(request) {
      const { command, env } = base.build(request);
      return { command: variant.command?.(request) ?? command, args: variant.args(request), env, stdin: 'pipe', initialInput: [acpInitializeLine()], stdoutPipe: true };
    },
    createConversation: (request, env) => createAcpConversation({ request, permissions: variant.permissions(request), dialect: variant.dialect, env }),
    steerInput: undefined,
    interruptInput: undefined,
    approvalInput: undefined,
    isTurnEnd: (event) => event.type === 'result',
  };
}

/** Gemini CLI's tokens of a prompt: `_meta.quota.token_count`, and each model's in `model_usage` (its router's too). */
function geminiUsage(result: Record<string, unknown>): Extract<AgentEventBody, { type: 'usage' }> | undefined {
  const quota = asRecord(asRecord(result._meta)?.quota);
  const total = asRecord(quota?.token_count);
  if (!total) return undefined;
  const perModel = Object.fromEntries((Array.isArray(quota?.model_usage) ? quota.model_usage.map(asRecord) : []).flatMap((m) => (typeof m?.model === 'string' ? [[m.model, asRecord(m.token_count) ?? {}]] : [])));
  const { models, main } = modelsOf({ models: perModel });
  return { type: 'usage', inputTokens: asNumber(total.input_tokens), outputTokens: asNumber(total.output_tokens), ...(main ? { models } : {}) };
}

export function geminiAcpRunner(gemini: Runner): Runner {
  return acpVariant(gemini, {
    args(request) {
      const args = ['--acp', '--approval-mode', request.settings.permissionMode ?? 'auto_edit', '--skip-trust'];
      if (request.settings.model) args.push('-m', request.settings.model);
      // Switchboard's tools run without asking (as Claude Code's `--allowedTools`): its MCP tools are `mcp_<server>_<tool>` to its policy.
      if (request.mcp) args.push('--allowed-tools', `mcp_${MCP_SERVER_NAME}_*`);
      return [...args, ...request.settings.extraArgs];
    },
    permissions: hostOrDeny,
    dialect: { usage: geminiUsage, text: geminiRetryText },
  });
}

/** opencode and Kilo: `acp`; the model is chosen over ACP; `auto` grants what their config would ask about, as `run --auto` does. */
export function opencodeAcpRunner(runner: Runner): Runner {
  return acpVariant(runner, {
    args: (request) => ['acp', ...request.settings.extraArgs],
    permissions(request) {
      const mode = request.settings.permissionMode;
      if (mode === 'auto') return 'allow';
      if (mode) throw new SwitchboardError('invalid_argument', `Over ACP, ${runner.displayName}'s permission mode is "auto" or none, not "${mode}" (an agent to run as needs the "json" protocol).`, `Set runners.${runner.id}.protocol to "json", or clear its permissionMode.`);
      return hostOrDeny(request);
    },
    dialect: { modelOverAcp: true },
  });
}

/** The Copilot CLI: `--acp`; with permission mode `ask` (no allow flag) each tool use is a permission request. */
export function copilotAcpRunner(copilot: Runner): Runner {
  // Only the JSON runner's binary and environment are used: its permission flags (which refuse `ask`) are not.
  const base: Runner = { ...copilot, build: (request) => copilot.build({ ...request, settings: { ...request.settings, permissionMode: undefined } }) };
  return acpVariant(base, {
    command: (request) => nativeCopilotBinary(request.settings.binary),
    args(request) {
      const args = ['--acp', ...copilotPermissionArgs(request.settings.permissionMode), '--no-auto-update', '--disable-client-telemetry'];
      if (request.settings.model) args.push('--model', request.settings.model);
      return [...args, ...request.settings.extraArgs];
    },
    permissions: hostOrDeny,
  });
}
