/** What another process may ask the process running a team (over its owner socket, see owner/ownerServer.ts). */
import type { TaskSpec } from '../dag/task';

export type TeamRequest = { op: 'shutdown'; force: boolean } | { op: 'add'; tasks: TaskSpec[] } | { op: 'cancel'; taskId: string } | { op: 'retry'; taskId: string };
