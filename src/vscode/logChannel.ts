/** The one "Switchboard" LogOutputChannel, handed to the core as its Logger. */
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

export function createLogChannel(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('Switchboard', { log: true });
  const logger: Logger = {
    trace: (m) => channel.trace(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  return { channel, logger };
}
