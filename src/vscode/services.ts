/** What command handlers work with; built once in the composition root. */
import type { Logger } from '../core/logger';
import type { Switchboard } from '../core/switchboard';
import type { McpHosting } from './mcp/mcpHosting';
import type { OutputDocuments } from './outputDocuments';
import type { RunnerAvailability } from './runnerAvailability';
import type { ExtensionSettings } from './settings';

export interface Services {
  /** The core object over the state folder in use; throws, saying why, when it could not be opened. */
  switchboard(): Switchboard;
  settings(): ExtensionSettings;
  availability: RunnerAvailability;
  outputs: OutputDocuments;
  mcp: McpHosting;
  logger: Logger;
}
