/** The team tools: start a team, list and inspect teams, shut one down, add and cancel tasks, and its DAG. */
import { z } from 'zod';
import { MAX_TASKS } from '../core/dag/taskJson';
import { SwitchboardError } from '../core/errors';
import { countsText, spendText } from '../core/teams/teamText';
import type { TeamStatusView } from '../core/teams/teamService';
import { isActiveTeam, type TeamRecord } from '../core/teams/teamStore';
import { absoluteFolder, nameField, toShape } from './schemas';
import { dagShape, taskInput, taskShape, taskSpec, teamField, teamListShape, teamShape, teamStatusShape } from './teamSchemas';
import { defineOperation } from './operation';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `alpha running (2 done, 1 running)`. */
const teamLine = (view: TeamStatusView): string => `${view.team.name} ${view.team.status}${view.owned ? '' : ' (its process has exited)'} (${countsText(view.counts)})`;

const workersText = (team: TeamRecord): string => team.workers.map((w) => `${w.name} on ${w.branch ?? w.cwd}`).join(', ');

const teamRun = defineOperation({
  name: 'team_run',
  title: 'Run a team',
  description:
    'Start a team of agents working a task graph. `spec` says the workers: N:role[:runner][@backend] joined by commas ("2:executor", "1:planner,2:executor:codex", "2:executor:claude@docker" for workers in containers; roles planner, executor, reviewer and any configured; runner default: the role\'s, claude). ' +
    'Each worker gets its own git worktree on branch switchboard/<team>/<worker> (a folder that is not a git repository is shared instead, with a warning). ' +
    'Give `tasks` (ids and depends_on) to set the graph yourself; without them a planner worker turns `task` into tasks, and a team without a planner works `task` as one task. ' +
    'A free worker takes a task once everything it depends on is done, with those workers\' branches merged into its worktree. A cycle or an unknown dependency is refused, naming it. ' +
    'Returns at once (status planning or running), not when the team is done: follow it with team_status or dag_get, then bring its work in with merge_status and merge_worker. The team runs inside this server\'s process.',
  input: z.strictObject({
    spec: z.string().trim().min(1).describe('Workers: N:role[:runner][@backend] joined by commas (@docker, @swarm: in containers)'),
    task: z.string().trim().min(1, 'must say what the team is for').describe('What the team is for (the planner plans it; without tasks or planner it is the one task)'),
    name: nameField.optional().describe('A unique team name (default: team-<time>)'),
    tasks: z.array(taskInput).min(1).max(MAX_TASKS).optional().describe('The task graph; no planner step when given'),
    cwd: absoluteFolder.optional().describe('The workspace: an absolute folder, best a git repository with a commit (default: the workspace folder)'),
    setup: z.string().min(1).optional().describe('A command run in each new worktree before work starts (e.g. "npm ci"); no shell is involved'),
  }),
  output: teamShape,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async handle(args, ctx) {
    ctx.host.guard('start');
    const workspace = args.cwd ?? ctx.host.defaultCwd();
    if (!workspace) throw new SwitchboardError('bad_cwd', '`cwd` is required: there is no workspace folder to default to.', 'Pass the absolute folder the team should work in.');
    const team = await ctx.sb.teams.run({ name: args.name, spec: args.spec, task: args.task, tasks: args.tasks?.map(taskSpec), workspace, setup: args.setup });
    const doing = team.status === 'planning' ? 'planning the task into tasks' : `${plural(team.tasks.length, 'task')}`;
    return {
      structured: toShape(teamShape, team),
      summary: `Started team ${team.name} (${team.status}): ${plural(team.workers.length, 'worker')} (${workersText(team)}), ${doing}. It goes on by itself; follow it with team_status.${team.warning ? ` Warning: ${team.warning}` : ''}`,
    };
  },
});

const teamList = defineOperation({
  name: 'team_list',
  title: 'List teams',
  description: 'The teams Switchboard knows (over the same state folder), newest first, with their status and their tasks counted by status.',
  input: z.strictObject({}),
  output: teamListShape,
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const teams = ctx.sb.teams;
    const views = teams.list().map((t) => teams.status(t.name));
    return {
      structured: toShape(teamListShape, { count: views.length, teams: views.map((v) => ({ ...v.team, workerCount: v.team.workers.length, counts: v.counts, owned: v.owned })) }),
      summary: views.length ? `${plural(views.length, 'team')}: ${views.map(teamLine).join('; ')}.` : 'No teams yet; start one with team_run.',
    };
  },
});

const teamStatus = defineOperation({
  name: 'team_status',
  title: 'Get a team status',
  description: "One team in detail: its status, each worker with its branch and current (else last) run, the tasks (status, worker, run_id, result, reason) and their counts by status, what its runs spent, and `owned` (false: active, but the process running it has exited).",
  input: z.strictObject({ name: teamField }),
  output: teamStatusShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const view = ctx.sb.teams.status(args.name);
    const busy = view.workers.filter((w) => w.run?.status === 'running').map((w) => `${w.name} on ${w.run!.task}`);
    return {
      structured: toShape(teamStatusShape, { ...view.team, workers: view.workers, counts: view.counts, spend: view.spend, owned: view.owned }),
      summary: `Team ${teamLine(view)}${busy.length ? `; working: ${busy.join(', ')}` : ''}; spent ${spendText(view.spend)}.${view.team.reason ? ` Why: ${view.team.reason}` : ''}`,
    };
  },
});

const teamShutdown = defineOperation({
  name: 'team_shutdown',
  title: 'Shut down a team',
  description: "Stop a team: its unfinished tasks are cancelled and every worker's run is interrupted, then killed with its process tree after the grace time (`force`: at once). Branches and worktrees stay (team_cleanup removes worktrees). A team that has ended is left as it is.",
  input: z.strictObject({ name: teamField, force: z.boolean().optional().describe('Kill the runs at once instead of interrupting them first') }),
  output: teamShape,
  annotations: { destructiveHint: true, idempotentHint: true },
  async handle(args, ctx) {
    const wasActive = isActiveTeam(ctx.sb.teams.get(args.name).status);
    const team = await ctx.sb.teams.shutdown(args.name, args.force ?? false);
    const cancelled = team.tasks.filter((t) => t.status === 'cancelled').length;
    return {
      structured: toShape(teamShape, team),
      summary: wasActive ? `Team ${team.name} is ${team.status}; ${plural(cancelled, 'task')} cancelled.` : `Team ${team.name} had already ended (${team.status}); nothing to stop.`,
    };
  },
});

const taskCreate = defineOperation({
  name: 'task_create',
  title: 'Add a task to a team',
  description: 'Add a task to a running team (not while it is still planning). It gets the next free id T<n>; `depends_on` must name tasks of the team (an unknown one, or a cycle, is refused). A free worker takes it once its dependencies are done.',
  input: z.strictObject({ team: teamField, ...taskInput.omit({ id: true }).shape }),
  output: z.object({ team: z.string(), task: taskShape }),
  annotations: { destructiveHint: false, idempotentHint: false },
  async handle({ team, ...task }, ctx) {
    ctx.host.guard('start');
    const [added] = await ctx.sb.teams.addTasks(team, [taskSpec(task)]);
    return {
      structured: { team, task: toShape(taskShape, added) },
      summary: `Added ${added!.id} to team ${team} (${added!.status})${added!.dependsOn.length ? `, after ${added!.dependsOn.join(', ')}` : ''}.`,
    };
  },
});

const taskCancel = defineOperation({
  name: 'task_cancel',
  title: 'Cancel a task',
  description: "Cancel a task of a running team that is not done, failed, blocked or cancelled yet: its run, if any, is killed, and the tasks that depend on it are blocked.",
  input: z.strictObject({ team: teamField, task_id: z.string().min(1).describe('The task id, e.g. T3') }),
  output: z.object({ team: z.string(), task: taskShape }),
  annotations: { destructiveHint: true, idempotentHint: false },
  async handle(args, ctx) {
    const task = await ctx.sb.teams.cancelTask(args.team, args.task_id);
    return { structured: { team: args.team, task: toShape(taskShape, task) }, summary: `Cancelled ${task.id} of team ${args.team}; the tasks depending on it are blocked.` };
  },
});

const dagGet = defineOperation({
  name: 'dag_get',
  title: "Get a team's task graph",
  description: "A team's tasks as a graph: nodes (status, worker, depends_on), edges (from must be done before to), the critical path (the longest chain by measured, else expected, duration) and an ASCII drawing by layer.",
  input: z.strictObject({ team: teamField }),
  output: dagShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const dag = ctx.sb.teams.dag(args.team);
    return {
      structured: toShape(dagShape, dag),
      summary: `${plural(dag.nodes.length, 'task')}, ${plural(dag.edges.length, 'edge')}; critical path ${dag.critical_path.ids.join(' -> ') || 'empty'}.`,
    };
  },
});

export const TEAM_OPS = [teamRun, teamList, teamStatus, teamShutdown, taskCreate, taskCancel, dagGet];
