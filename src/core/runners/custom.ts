/** Any command: a template with `{prompt}` substituted, plain-text output, no sessions, no steering. */
import { SwitchboardError } from '../errors';
import { expandTemplate } from './commandTemplate';
import type { Runner } from './types';

export const customRunner: Runner = {
  id: 'custom',
  displayName: 'Custom command',
  defaultBinary: '',
  installHint: 'Give the command (--command "<program> ... {prompt}" on the command line, `command` over MCP and the HTTP API) or set it in the settings.',
  structured: false,
  steering: 'none',
  canResume: false,
  interactiveRefusal: 'A custom command reports no session, so there is none to continue at a terminal.',
  takesMcpServer: false,
  usageScope: 'turn',
  reportsCost: false,
  build(request) {
    if (!request.commandTemplate?.trim()) {
      throw new SwitchboardError(
        'invalid_argument',
        'The custom runner needs a command template.',
        'Pass --command "<program> [args] {prompt}" (`command` over MCP and the HTTP API; the prompt replaces {prompt}) or set the custom command in the settings.',
      );
    }
    const [command, ...args] = expandTemplate(request.commandTemplate, request.prompt);
    return { command: command!, args: [...args, ...request.settings.extraArgs], env: {}, stdin: 'ignore', initialInput: [] };
  },
  createParser: () => () => undefined,
};
