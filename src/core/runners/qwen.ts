/** Qwen Code: Claude-shaped stream-json; follow-up messages on stdin run as the next turn. */
import type { Runner } from './types';
import { createStreamJsonParser, userMessageLine } from './streamJson';

export const qwenRunner: Runner = {
  id: 'qwen',
  displayName: 'Qwen Code',
  defaultBinary: 'qwen',
  installHint: 'Install it with `npm install -g @qwen-code/qwen-code` (it needs Node 22 or newer), or set its path in the settings.',
  structured: true,
  steering: 'live',
  canResume: true,
  usageScope: 'turn',
  reportsCost: false,
  build(request) {
    const args = ['--input-format', 'stream-json', '-o', 'stream-json', '--approval-mode', 'auto-edit'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('--model', request.settings.model);
    args.push(...request.settings.extraArgs);
    return { command: request.settings.binary, args, env: {}, stdin: 'pipe', initialInput: [userMessageLine(request.prompt)] };
  },
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  isTurnEnd: (event) => event.type === 'result',
};
