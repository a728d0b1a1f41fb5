/**
 * Qwen Code: Claude-shaped stream-json; follow-up messages on stdin run as the next turn, and an
 * interrupt control request (after an `initialize` one) cancels the current turn without a kill.
 */
import type { Runner } from './types';
import { createStreamJsonParser, userMessageLine } from './streamJson';
import { settingsOverlay } from './settingsOverlay';

const SYSTEM_SETTINGS = {
  cli: 'qwen',
  envVar: 'QWEN_CODE_SYSTEM_SETTINGS_PATH',
  defaultPaths: { linux: '/etc/qwen-code/settings.json', darwin: '/Library/Application Support/QwenCode/settings.json', win32: 'C:\\ProgramData\\qwen-code\\settings.json' },
};

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
  // Its rate-limit retries (10, a minute apart, by default), printed as `system/retry`; its quick retries before them are silent.
  retryCap: 'model.generationConfig.maxRetries in a system settings file over its own',
  build(request) {
    const args = ['--input-format', 'stream-json', '-o', 'stream-json', '--approval-mode', request.settings.permissionMode ?? 'auto-edit'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('--model', request.settings.model);
    args.push(...request.settings.extraArgs);
    return {
      command: request.settings.binary,
      args,
      env: request.settings.maxRetries === undefined ? {} : settingsOverlay(SYSTEM_SETTINGS, { model: { generationConfig: { maxRetries: request.settings.maxRetries } } }),
      stdin: 'pipe',
      // Qwen only honours an interrupt after an `initialize` control request.
      initialInput: [controlRequest('sb-init', 'initialize'), userMessageLine(request.prompt)],
    };
  },
  interactive: ({ sessionId, settings }) => ({
    command: settings.binary,
    args: ['--resume', sessionId, '--approval-mode', settings.permissionMode ?? 'auto-edit', ...(settings.model ? ['--model', settings.model] : [])],
    env: {},
  }),
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  interruptInput: (requestId) => controlRequest(requestId, 'interrupt'),
  isTurnEnd: (event) => event.type === 'result',
};
