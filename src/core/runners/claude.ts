/** Claude Code: stream-json in and out, so a run can be steered live and interrupted without a kill. */
import { randomUUID } from 'node:crypto';
import type { Runner } from './types';
import { createStreamJsonParser, userMessageLine } from './streamJson';

export const claudeRunner: Runner = {
  id: 'claude',
  displayName: 'Claude Code',
  defaultBinary: 'claude',
  installHint: 'Install it with `npm install -g @anthropic-ai/claude-code`, or set its path in the settings.',
  structured: true,
  steering: 'live',
  canResume: true,
  usageScope: 'turn',
  costScope: 'session',
  reportsCost: true,
  build(request) {
    const args = [
      '-p',
      '--input-format', 'stream-json',
      '--output-format', 'stream-json',
      '--verbose',
      '--permission-mode', request.settings.permissionMode ?? 'acceptEdits',
    ];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    else args.push('--session-id', randomUUID());
    if (request.settings.model) args.push('--model', request.settings.model);
    if (request.mcpConfig) args.push('--mcp-config', request.mcpConfig);
    args.push(...request.settings.extraArgs);
    return { command: request.settings.binary, args, env: {}, stdin: 'pipe', initialInput: [userMessageLine(request.prompt)] };
  },
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  interruptInput: (requestId) => JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } }),
  isTurnEnd: (event) => event.type === 'result',
};
