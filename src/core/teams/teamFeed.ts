/**
 * What a team tells the feed each time its record is saved: compared with the record saved before,
 * the team started, changed or ended, and each task that was added or moved (assigned, completed,
 * failed, blocked, cancelled). Other processes follow a team through these events instead of
 * reading its file on a timer.
 */
import type { TaskStatus } from '../dag/task';
import { taskEntity, taskStatusEvent, teamEntity } from '../feed/entities';
import type { Feed } from '../feed/feed';
import { taskKey, teamKey } from '../feed/feedEvent';
import { isActiveTeam, type TeamRecord, type TeamStatus } from './teamStore';

export class TeamFeed {
  private status: TeamStatus | undefined;
  private owner: number | undefined;
  private readonly tasks = new Map<string, { status: TaskStatus; attempts: number }>();

  /** `known`: the record was saved before (a team resumed here), so its present state is not news. */
  constructor(private readonly feed: Feed | undefined, record?: TeamRecord) {
    if (record) this.remember(record);
  }

  saved(record: TeamRecord): void {
    if (!this.feed) return;
    const entity = teamEntity(record);
    const key = teamKey(record.name);
    if (this.status === undefined) this.feed.append({ type: 'team.started', key, entity });
    for (const task of record.tasks) {
      const before = this.tasks.get(task.id);
      if (!before) this.feed.append({ type: 'task.added', key: taskKey(record.name, task.id), entity: taskEntity(record.name, task) });
      if (before ? before.status !== task.status || before.attempts !== task.attempts : task.status !== 'pending' && task.status !== 'ready') {
        this.feed.append({ type: taskStatusEvent(task.status), key: taskKey(record.name, task.id), entity: taskEntity(record.name, task) });
      }
    }
    if (this.status !== undefined && this.status !== record.status) {
      this.feed.append({ type: isActiveTeam(record.status) ? 'team.updated' : 'team.ended', key, entity });
    } else if (this.status !== undefined && this.owner !== record.owner?.pid) {
      this.feed.append({ type: 'team.updated', key, entity });
    }
    this.remember(record);
  }

  private remember(record: TeamRecord): void {
    this.status = record.status;
    this.owner = record.owner?.pid;
    for (const task of record.tasks) this.tasks.set(task.id, { status: task.status, attempts: task.attempts });
  }
}
