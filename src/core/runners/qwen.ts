/**
 * Qwen Code: Claude-shaped stream-json; follow-up messages on stdin run as the next turn, and an
 * interrupt control request (after an `initialize` one) cancels the current turn without a kill.
 */
import type { Runner } from './types';
import { createStreamJsonParser, userMessageLine } from './streamJson';

const controlRequest = (requestId: string, subtype: string): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype } });

export const qwenRunner: Runner = {
  id: 'qwen',
  displayName: 'Qwen Code',
  defaultBinary: 'qwen',
  installHint: 'Install it with `npm install -g @qwen-code/qwen-code` (it needs Node 22 or newer), or set its path in the settings.',
  structured: true,
  steering: 'live',
  canResume: true,
  takesMcpServer: false,
  usageScope: 'session',
  reportsCost: false,
  build(request) {
    const args = ['--input-format', 'stream-json', '-o', 'stream-json', '--approval-mode', request.settings.permissionMode ?? 'auto-edit'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('--model', request.settings.model);
    args.push(...request.settings.extraArgs);
    return {
      command: request.settings.binary,
      args,
      env: {},
      stdin: 'pipe',
      // Qwen only honours an interrupt after an `initialize` control request.
      initialInput: [controlRequest('sb-init', 'initialize'), userMessageLine(request.prompt)],
    };
  },
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  interruptInput: (requestId) => controlRequest(requestId, 'interrupt'),
  isTurnEnd: (event) => event.type === 'result',
};
