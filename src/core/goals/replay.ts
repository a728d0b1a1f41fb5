/**
 * A goal's replay: its timeline from its own events (`events.jsonl`), the feed's changes of its
 * teams, tasks, runs, gates and budget, and its checkpoints, in time order and deduplicated (the
 * same change told twice counts once, and is counted). A torn or damaged line is counted, never
 * fatal; what the feed no longer holds (compacted) is named as a known gap.
 */
import * as fs from 'node:fs';
import type { Feed } from '../feed/feed';
import type { FeedEvent } from '../feed/feedEvent';
import { describeFeedEvent } from '../feed/feedText';
import { StateMap } from '../state/stateMap';
import type { GoalRecord } from './goalRecord';
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

/** Whether a feed event is about this goal (its teams, their tasks and runs, its workspace's gates while it lived). */
export function aboutGoal(goal: GoalRecord, event: FeedEvent): boolean {
  if (event.key === `goal:${goal.id}`) return false; // told by the goal's own events
  const teams = new Set(goal.iterations.map((i) => i.team).filter(Boolean) as string[]);
  const entity = event.entity as { links?: { goal?: string }; run?: { links?: { goal?: string } }; team?: string; workspace?: string };
  if (entity?.links?.goal === goal.id || entity?.run?.links?.goal === goal.id) return true;
  const team = /^(?:team|task):([^/]+)/.exec(event.key)?.[1];
  if (team && teams.has(team)) return true;
  if (event.type.startsWith('merge.') && entity?.team && teams.has(entity.team)) return true;
  const during = event.ts >= goal.createdAt && event.ts <= (goal.completedAt ?? Infinity);
  return (event.type.startsWith('gate.') || event.type.startsWith('breaker.')) && during && [goal.workspace].includes(entity?.workspace ?? '');
}

export function feedEntry(event: FeedEvent): TimelineEntry {
  const entity = event.entity as { task?: { worker?: string }; source?: string };
  const actor = event.type === 'task.assigned' ? (entity.task?.worker ?? null) : event.type === 'steering.intervention' ? (entity.source ?? null) : null;
  return { ts: event.ts, kind: FEED_KINDS[event.type] ?? event.type.replace('.', '_'), actor, summary: describeFeedEvent(event) };
}

function ownEvents(stateDir: string, goal: GoalRecord): { entries: TimelineEntry[]; torn: number } {
  let text = '';
  try {
    text = fs.readFileSync(new StateMap(stateDir).goal(goal.id).events, 'utf8');
  } catch {
    return { entries: [], torn: 0 };
  }
  const entries: TimelineEntry[] = [];
  let torn = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as GoalEvent;
      if (typeof e.ts !== 'number' || typeof e.kind !== 'string') throw new Error('not an event');
      entries.push({ ts: e.ts, kind: e.kind, actor: e.actor ?? null, summary: String(e.summary ?? '') });
    } catch {
      torn++;
    }
  }
  return { entries, torn };
}

export function replayGoal(stateDir: string, feed: Feed, goal: GoalRecord, now = Date.now()): Replay {
  const own = ownEvents(stateDir, goal);
  const read = feed.read(0);
  const fromFeed = read.events.filter((e) => aboutGoal(goal, e)).map(feedEntry);
  const checkpoints = goal.checkpoints.map((c) => ({ ts: c.at, kind: 'checkpoint_recorded', actor: null, summary: `${c.label}: ${c.usedTokens} tokens, $${c.usedUsd.toFixed(4)}, ${Math.round(c.elapsedMs / 1000)} s` }));
  const seen = new Set<string>();
  let duplicates = 0;
  const timeline: TimelineEntry[] = [];
  for (const entry of [...own.entries, ...fromFeed, ...checkpoints].sort((a, b) => a.ts - b.ts)) {
    const key = `${entry.kind}|${entry.actor}|${entry.summary}|${Math.floor(entry.ts / 1000)}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    timeline.push(entry);
  }
  const gaps: string[] = [];
  const oldest = read.events[0];
  if (oldest && oldest.seq > 1 && oldest.ts > goal.createdAt) gaps.push('older changes of the feed were compacted: runs, tasks and gates before then are told only by the goal\'s own events');
  if (own.entries.length === 0) gaps.push("the goal's own events are missing");
  return { goal, generatedAt: now, timeline, knownGaps: gaps, duplicateEvents: duplicates, parseFailures: own.torn + read.torn };
}

export function taskGraphCounts(goal: GoalRecord): { total_tasks: number; pending_tasks: number; blocked_tasks: number; done_tasks: number } {
  const s = graphSummary(goal.tasks);
  return { total_tasks: s.total, pending_tasks: s.pending, blocked_tasks: s.blocked, done_tasks: s.done };
}
