/**
 * A goal's replay: its timeline from its own events (`events.jsonl`), the feed's changes of its
 * teams, tasks, runs, gates and budget, and its checkpoints, in time order and deduplicated (the
 * same change told twice counts once, and is counted). A torn or damaged line is counted, never
 * fatal; what the feed no longer holds (compacted) is named as a known gap. Read again as things
 * happen, the same merge follows the goal live.
 */
import * as fs from 'node:fs';
import type { Feed } from '../feed/feed';
import type { FeedEvent } from '../feed/feedEvent';
import { describeFeedEvent } from '../feed/feedText';
import { JournalReader } from '../feed/journalReader';
import { readFrom } from '../feed/segments';
import { StateMap } from '../state/stateMap';
import type { Checkpoint, GoalRecord } from './goalRecord';
import type { GoalEvent } from './goalStore';
import { graphSummary } from './goalTasks';

export interface TimelineEntry {
  ts: number;
  kind: string;
  actor: string | null;
  summary: string;
}

export interface Replay {
  goal: GoalRecord;
  generatedAt: number;
  timeline: TimelineEntry[];
  knownGaps: string[];
  duplicateEvents: number;
  parseFailures: number;
}

const FEED_KINDS: Record<string, string> = {
  'task.added': 'task_created', 'task.assigned': 'task_started', 'task.completed': 'task_completed', 'task.failed': 'task_failed', 'task.blocked': 'task_blocked', 'task.cancelled': 'task_cancelled',
  'gate.passed': 'gate_passed', 'gate.failed': 'gate_failed', 'breaker.opened': 'breaker_opened', 'breaker.reset': 'breaker_reset', 'steering.intervention': 'steering',
  'team.started': 'team_started', 'team.ended': 'team_ended', 'merge.completed': 'merge_completed', 'merge.failed': 'merge_failed', 'agent.started': 'run_started', 'agent.completed': 'run_completed',
  'agent.failed': 'run_failed', 'agent.killed': 'run_killed', 'discovery.created': 'discovery_created',
};

/**
 * Whether `team` is one the goal ever had: its teams are named `<goal>-<iteration>[.<n>]`, so those of
 * iterations a rollback abandoned (gone from `goal.iterations`) still count.
 */
export const isGoalTeam = (goal: Pick<GoalRecord, 'id' | 'iterations'>, team: string): boolean => team.startsWith(`${goal.id}-`) || goal.iterations.some((i) => i.team === team);

/** Whether a feed event is about this goal (its teams, their tasks and runs, the gates it ran, and others' in its workspace while it lived). */
function aboutGoal(goal: GoalRecord, event: FeedEvent): boolean {
  if (event.key === `goal:${goal.id}`) return false; // told by the goal's own events
  const entity = event.entity as { links?: { goal?: string }; run?: { links?: { goal?: string } }; team?: string; workspace?: string };
  if (entity?.links?.goal === goal.id || entity?.run?.links?.goal === goal.id) return true;
  const team = /^(?:team|task):([^/]+)/.exec(event.key)?.[1];
  if (team && isGoalTeam(goal, team)) return true;
  if (event.type.startsWith('merge.') && entity?.team && isGoalTeam(goal, entity.team)) return true;
  // Gates run by another goal in the same workspace are that goal's.
  if (entity?.links?.goal) return false;
  const during = event.ts >= goal.createdAt && event.ts <= (goal.completedAt ?? Infinity);
  return (event.type.startsWith('gate.') || event.type.startsWith('breaker.')) && during && [goal.workspace].includes(entity?.workspace ?? '');
}

function feedEntry(event: FeedEvent): TimelineEntry {
  const entity = event.entity as { task?: { worker?: string }; source?: string };
  const actor = event.type === 'task.assigned' ? (entity.task?.worker ?? null) : event.type === 'steering.intervention' ? (entity.source ?? null) : null;
  return { ts: event.ts, kind: FEED_KINDS[event.type] ?? event.type.replace('.', '_'), actor, summary: describeFeedEvent(event) };
}

const checkpointEntry = (c: Checkpoint): TimelineEntry => ({ ts: c.at, kind: 'checkpoint_recorded', actor: null, summary: `${c.label}: ${c.usedTokens} tokens, $${c.usedUsd.toFixed(4)}, ${Math.round(c.elapsedMs / 1000)} s` });

/**
 * The replay's merge, kept going: each read takes what was written since the last one (the goal's
 * events file from where it stopped, the feed from its cursor, checkpoints not yet told) and gives
 * the entries not told before, in time order; the same change told twice is counted once. One read
 * makes `goal replay`; reading again as things happen makes `--follow`.
 */
export class ReplayReader {
  private readonly journal: JournalReader;
  private readonly events: string;
  private offset = 0;
  private checkpointsTold = 0;
  private readonly seen = new Set<string>();
  private oldestFeedEvent: FeedEvent | undefined;
  private ownEvents = 0;
  private ownTorn = 0;
  duplicates = 0;

  constructor(stateDir: string, feed: Feed, goalId: string) {
    this.journal = new JournalReader(feed.state, 0);
    this.events = new StateMap(stateDir).goal(goalId).events;
  }

  /** Torn or damaged lines skipped so far, of the goal's events and of the feed. */
  get parseFailures(): number {
    return this.ownTorn + this.journal.torn;
  }

  /** The entries told since the last read. `final`: nothing more is written, so a last line without its end is damaged (else it is still being written). */
  read(goal: GoalRecord, final = false): TimelineEntry[] {
    const feedEvents = this.journal.read();
    this.oldestFeedEvent ??= feedEvents[0];
    const fresh = [...this.readOwn(final), ...feedEvents.filter((e) => aboutGoal(goal, e)).map(feedEntry), ...goal.checkpoints.slice(this.checkpointsTold).map(checkpointEntry)];
    this.checkpointsTold = goal.checkpoints.length;
    const told: TimelineEntry[] = [];
    for (const entry of fresh.sort((a, b) => a.ts - b.ts)) {
      const key = `${entry.kind}|${entry.actor}|${entry.summary}|${Math.floor(entry.ts / 1000)}`;
      if (this.seen.has(key)) {
        this.duplicates++;
        continue;
      }
      this.seen.add(key);
      told.push(entry);
    }
    return told;
  }

  /** The whole replay so far (the first read), with what it cannot tell. */
  replay(goal: GoalRecord, now = Date.now(), final = true): Replay {
    const timeline = this.read(goal, final);
    const gaps: string[] = [];
    const oldest = this.oldestFeedEvent;
    if (oldest && oldest.seq > 1 && oldest.ts > goal.createdAt) gaps.push('older changes of the feed were compacted: runs, tasks and gates before then are told only by the goal\'s own events');
    if (this.ownEvents === 0) gaps.push("the goal's own events are missing");
    return { goal, generatedAt: now, timeline, knownGaps: gaps, duplicateEvents: this.duplicates, parseFailures: this.parseFailures };
  }

  dispose(): void {
    this.journal.dispose();
  }

  /** The goal's own events written since the last read (whole lines; with `final`, a torn last one is counted). */
  private readOwn(final: boolean): TimelineEntry[] {
    let buffer: Buffer;
    try {
      const fd = fs.openSync(this.events, 'r');
      try {
        buffer = readFrom(fd, this.offset);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return [];
    }
    const end = final ? buffer.length : buffer.lastIndexOf(0x0a) + 1;
    this.offset += end;
    const entries: TimelineEntry[] = [];
    for (const line of buffer.toString('utf8', 0, end).split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as GoalEvent;
        if (typeof e.ts !== 'number' || typeof e.kind !== 'string') throw new Error('not an event');
        entries.push({ ts: e.ts, kind: e.kind, actor: e.actor ?? null, summary: String(e.summary ?? '') });
      } catch {
        this.ownTorn++;
      }
    }
    this.ownEvents += entries.length;
    return entries;
  }
}

export function replayGoal(stateDir: string, feed: Feed, goal: GoalRecord, now = Date.now()): Replay {
  const reader = new ReplayReader(stateDir, feed, goal.id);
  try {
    return reader.replay(goal, now);
  } finally {
    reader.dispose();
  }
}

export function taskGraphCounts(goal: GoalRecord): { total_tasks: number; pending_tasks: number; blocked_tasks: number; done_tasks: number } {
  const s = graphSummary(goal.tasks);
  return { total_tasks: s.total, pending_tasks: s.pending, blocked_tasks: s.blocked, done_tasks: s.done };
}
