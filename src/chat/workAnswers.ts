/**
 * The answers of `@switchboard` about work larger than one run: /team (start it, report its tasks
 * as they finish, Show DAG), /goal (propose budgets and the detected gates; start on Accept),
 * /budget, /gates (breakers with Reset), /discoveries (Promote, Dismiss) and /doctor.
 */
import { detectGates } from '../core/gates/detectGates';
import type { Disposable } from '../core/events';
import type { BreakerShape } from '../core/gates/gateShapes';
import type { DiscoveryShape } from '../ops/discoveryOps';
import type { AnswerMeta, Answer } from './answerContext';
import { Wakeup } from './wakeup';

/** What /goal proposes when the objective says nothing of money or time: enough for a few agents for a while, never open-ended. */
export const PROPOSED_BUDGET = { budget_time: '2h', budget_usd: 10 } as const;
const FINISHED_TASK = new Set(['done', 'failed', 'cancelled', 'blocked']);

/** Tells of teams that changed, by name (the window's TeamWatcher: this process's changes, their runs', and the feed's). */
export type TeamChanges = (listener: (teams: readonly string[]) => void) => Disposable;

/** Says up front that nothing will start here (an untrusted workspace), and why; true when so. */
function refusesToStart(a: Answer, what: string): boolean {
  const refusal = a.ops.refusal('start');
  if (refusal) a.text(`Nothing will start: ${what}. ${refusal}`);
  return refusal !== undefined;
}

export async function teamAnswer(a: Answer, teamChanges: TeamChanges, spec: string, task: string): Promise<AnswerMeta> {
  if (refusesToStart(a, 'no team runs in this workspace')) return { command: 'team' };
  const started = await a.get<{ name: string }>('team_run', { spec, task });
  if (!started) return {};
  const team = started.structured.name;
  a.did({ kind: 'team', id: team });
  a.text(started.summary);
  a.button('Show DAG', 'switchboard.showTeamDag', team);
  // Its tasks as they finish: woken by its changes, until the team ends or the request is cancelled.
  const reported = new Set<string>();
  const wakeup = new Wakeup();
  const listener = teamChanges((teams) => teams.includes(team) && wakeup.ring());
  try {
    for (;;) {
      await wakeup.wait(a.signal);
      const status = await a.get<{ status: string; tasks: { id: string; title: string; status: string; worker?: string }[] }>('team_status', { name: team });
      if (!status) break;
      for (const t of status.structured.tasks.filter((x) => FINISHED_TASK.has(x.status) && !reported.has(x.id))) {
        reported.add(t.id);
        a.text(`${t.id} ${t.status}: ${t.title}${t.worker ? ` (${t.worker})` : ''}`);
      }
      if (status.structured.status !== 'planning' && status.structured.status !== 'running') {
        a.text(status.summary);
        break;
      }
      if (a.signal.aborted) {
        a.text(`Stopped following; team ${team} works on (its row in the Teams view shows it).`);
        break;
      }
    }
  } finally {
    listener.dispose();
  }
  return { command: 'team', team };
}

export async function goalAnswer(a: Answer, workspace: string | undefined, objective: string, ownGates: string): Promise<AnswerMeta> {
  if (!workspace) {
    a.text('Open a folder first: a goal works in a git repository of the workspace.');
    return {};
  }
  // The gates the goal will get when it is given none: the configured ones (goals.gates), else those detected here.
  const configured = a.ops.switchboard()?.runs.config.goals.gates ?? [];
  let gates: { name: string; command: string; required: boolean; reason: string }[];
  try {
    gates = configured.length
      ? configured.map((g) => ({ name: g.name, command: typeof g.command === 'string' ? g.command : g.command.join(' '), required: g.required !== false, reason: 'configured in goals.gates' }))
      : detectGates(workspace);
  } catch (error) {
    a.text((error as Error).message);
    return {};
  }
  const refused = refusesToStart(a, 'this goal can be proposed, not started');
  a.text(`Goal: ${objective}`);
  a.text(`Proposed budgets: ${PROPOSED_BUDGET.budget_time} of wall time and $${PROPOSED_BUDGET.budget_usd.toFixed(2)}; at 80% the goal warns, at 100% it stops and waits for more.`);
  a.text(gates.length ? `Gates ${configured.length ? 'configured' : `found in ${workspace}`} (they prove it done):` : `No gates were found in ${workspace}: nothing would check the work (${ownGates}).`);
  for (const g of gates) a.text(`• ${g.name === g.command ? g.command : `${g.name}: ${g.command}`}${g.required ? '' : ', optional'} (${g.reason})`);
  if (refused) return { command: 'goal' };
  a.ensureSession();
  // Configured gates (or none at all) are left to the goal service, which takes goals.gates for a goal given none.
  const given = configured.length === 0 && gates.length ? { gates: gates.map(({ name, command, required }) => ({ name, command, required })) } : {};
  a.confirm('Start Goal', { op: 'goal_create', args: { objective, ...PROPOSED_BUDGET, ...given } });
  a.button('Change in New Goal…', 'switchboard.newGoal');
  return { command: 'goal' };
}

export async function budgetAnswer(a: Answer, goal: string | undefined): Promise<AnswerMeta> {
  const got = goal ? await a.get('goal_budget', { goal_id: goal }) : await a.get('goal_list');
  if (got) a.text(got.summary);
  if (got && goal) a.button('Budget Report', 'switchboard.showGoalBudgetReport', { goal });
  return { command: 'budget' };
}

export async function gatesAnswer(a: Answer): Promise<AnswerMeta> {
  const got = await a.get<{ breakers: BreakerShape[] }>('gates_status');
  if (!got) return {};
  a.text(got.summary);
  const notClosed = got.structured.breakers.filter((b) => b.state !== 'Closed');
  for (const b of got.structured.breakers) a.text(`• ${b.gate_name}: ${b.state}, ${b.failure_count} failure(s) in a row${b.last_failure_at ? `, last at ${b.last_failure_at}` : ''}`);
  for (const b of notClosed) a.confirm(`Reset ${b.gate_name}`, { op: 'gates_reset', args: { gate: b.gate_name } });
  if (notClosed.length > 1) a.confirm('Reset All', { op: 'gates_reset', args: { all: true } });
  return { command: 'gates' };
}

export async function discoveriesAnswer(a: Answer): Promise<AnswerMeta> {
  const got = await a.get<{ discoveries: DiscoveryShape[] }>('discovery_list', { status: 'pending' });
  if (!got) return {};
  const found = got.structured.discoveries;
  if (found.length === 0) a.text('No discovery is pending: agents have reported no work that waits for a decision.');
  for (const d of found) {
    const owner = d.goal_id ? { goal: d.goal_id } : { team: d.team };
    a.text(`${d.id} (${d.goal_id ? `goal ${d.goal_id}` : `team ${d.team}`}): ${d.title}. ${d.description}`);
    a.confirm(`Promote ${d.id}`, { op: 'discovery_promote', args: { id: d.id, ...owner } });
    a.button(`Dismiss ${d.id}…`, 'switchboard.dismissDiscovery', { discovery: d.id, ...owner });
  }
  return { command: 'discoveries' };
}

export async function doctorAnswer(a: Answer): Promise<AnswerMeta> {
  const got = await a.get('doctor');
  if (got) a.text(got.summary);
  a.button('Open Doctor', 'switchboard.doctor');
  return { command: 'doctor' };
}
