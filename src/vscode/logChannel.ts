/** The one "Switchboard" LogOutputChannel, handed to the core as its Logger; each line is also an event (SwitchboardApi.log, for the in-host tests). */
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

export interface LogLine {
  level: keyof Logger;
  message: string;
}

export function createLogChannel(): { channel: vscode.LogOutputChannel; logger: Logger; logged: vscode.EventEmitter<LogLine> } {
  const channel = vscode.window.createOutputChannel('Switchboard', { log: true });
  const logged = new vscode.EventEmitter<LogLine>();
  const line = (level: keyof Logger) => (message: string): void => {
    channel[level](message);
    logged.fire({ level, message });
  };
  const logger: Logger = { trace: line('trace'), info: line('info'), warn: line('warn'), error: line('error') };
  return { channel, logger, logged };
}
