/**
 * The team, worker or task a command acts on: the Teams view row it was invoked on (or a team name
 * passed by another command), else one the user picks from those that fit. With nothing that fits,
 * the command fails with `none`, saying why.
 */
import * as vscode from 'vscode';
import type { Task } from '../../core/dag/task';
import { SwitchboardError } from '../../core/errors';
import type { TeamRecord, TeamWorker } from '../../core/teams/teamStore';
import { teamDescription } from '../views/teamItems';
import type { TeamSnapshot, TeamWatcher } from './teamWatcher';

export interface PickOptions<T> {
  filter: (item: T, team: TeamRecord) => boolean;
  placeHolder: string;
  none: string;
}

/** What a view row (or a caller) hands a command. */
interface Given {
  team?: string;
  worker?: string;
  task?: string;
}

function given(arg: unknown): Given {
  if (typeof arg === 'string') return { team: arg };
  if (!arg || typeof arg !== 'object') return {};
  const { team, worker, task } = arg as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return { team: text(team), worker: text(worker), task: text(task) };
}

/** The snapshots to choose among: the given team's alone, or all. */
function candidates(watcher: TeamWatcher, team: string | undefined): TeamSnapshot[] {
  if (!team) return watcher.list();
  const snapshot = watcher.get(team) ?? watcher.reread(team);
  if (!snapshot) throw new SwitchboardError('unknown_team', `There is no team ${team}.`);
  return [snapshot];
}

async function pick<T, I extends vscode.QuickPickItem & { value: T }>(items: I[], options: { placeHolder: string; none: string }): Promise<T | undefined> {
  if (items.length === 0) throw new SwitchboardError('invalid_argument', options.none);
  const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.value;
}

export async function pickTeam(watcher: TeamWatcher, arg: unknown, options: PickOptions<TeamRecord>): Promise<TeamRecord | undefined> {
  const { team } = given(arg);
  if (team) return candidates(watcher, team)[0]!.view.team;
  const items = watcher
    .list()
    .filter((s) => options.filter(s.view.team, s.view.team))
    .map((s) => ({ label: s.view.team.name, description: teamDescription(s), detail: s.view.team.task, value: s.view.team }));
  return pick(items, options);
}

/** A worker or task of a team: the given one, or one picked among those `options.filter` keeps. */
async function pickMember<T>(
  watcher: TeamWatcher,
  arg: unknown,
  kind: 'worker' | 'task',
  members: (team: TeamRecord) => T[],
  describe: (member: T, team: TeamRecord) => vscode.QuickPickItem & { name: string },
  options: PickOptions<T>,
): Promise<{ team: TeamRecord; member: T } | undefined> {
  const wanted = given(arg);
  const name = wanted[kind];
  const items = candidates(watcher, wanted.team).flatMap(({ view }) =>
    members(view.team)
      .map((member) => ({ ...describe(member, view.team), value: { team: view.team, member }, member }))
      .filter((item) => (name ? item.name === name : options.filter(item.member, view.team))),
  );
  if (name && items.length === 1) return items[0]!.value;
  return pick(items, options);
}

export async function pickWorker(watcher: TeamWatcher, arg: unknown, options: PickOptions<TeamWorker>): Promise<{ team: TeamRecord; worker: TeamWorker } | undefined> {
  const describe = (w: TeamWorker, team: TeamRecord) => ({ name: w.name, label: w.name, description: `${team.name} · ${w.role} · ${w.runner}`, detail: w.branch ?? w.cwd });
  const picked = await pickMember(watcher, arg, 'worker', (team) => team.workers, describe, options);
  return picked && { team: picked.team, worker: picked.member };
}

export async function pickTask(watcher: TeamWatcher, arg: unknown, options: PickOptions<Task>): Promise<{ team: TeamRecord; task: Task } | undefined> {
  const describe = (t: Task, team: TeamRecord) => ({ name: t.id, label: `${t.id}: ${t.title}`, description: `${team.name} · ${t.status}${t.worker ? ` · ${t.worker}` : ''}` });
  const picked = await pickMember(watcher, arg, 'task', (team) => team.tasks, describe, options);
  return picked && { team: picked.team, task: picked.member };
}
