/**
 * The run answers of `@switchboard`: /run (start, follow the readable output while it runs, then
 * the outcome, with Steer…, Interrupt, Kill and Show Output), /status, /steer, /kill (asks first,
 * with a button) and /logs. Each is a view onto the agent operations.
 */
import type { RunRegistry } from '../core/registry/registry';
import { findRunner } from '../core/runners/runnerTable';
import { isFinished } from '../core/runs/types';
import type { AgentBrief, AgentSummary } from '../ops/schemas';
import type { AnswerMeta, Answer } from './answerContext';
import { failureText } from './chatOps';
import { followRun } from './followRun';

type Detail = AgentSummary & { result_text?: string; output_tail: string };

/** Steer…: asks for the message, then steers through the operation, recorded in the conversation (as Kill is). */
function steerButton(a: Answer, run: { id: string; name?: string }): void {
  a.ask('Steer…', { prompt: `What should ${run.name ?? run.id} do differently?`, arg: 'message' }, { op: 'steer_agent', args: { id: run.id } });
}

/** The buttons for a run: those that act on it while it runs, and Show Output. */
function runButtons(a: Answer, run: { id: string; name?: string; status: string; steering?: string }): void {
  if (run.status === 'running') {
    if (run.steering !== 'none') steerButton(a, run);
    a.button('Interrupt', 'switchboard.interruptAgent', { id: run.id });
    a.action('Kill', { op: 'kill_agent', args: { id: run.id } });
  }
  a.button('Show Output', 'switchboard.showAgentOutput', { id: run.id });
}

/** The outcome of a run: its one line (status, time, tokens, spend), and its final answer or error. */
async function outcome(a: Answer, id: string): Promise<Detail | undefined> {
  const got = await a.get<Detail>('get_agent_status', { id, tail_lines: 0 });
  if (!got) return undefined;
  const run = got.structured;
  a.text(got.summary);
  if (run.result_text) a.sink.block(run.result_text);
  else if (run.last_error && run.status !== 'done') a.text(run.last_error);
  return run;
}

export async function runAnswer(a: Answer, registry: RunRegistry, runner: string, prompt: string): Promise<AnswerMeta> {
  const started = await a.get<{ id: string; name: string }>('run_agent', { runner, prompt });
  return started ? followAnswer(a, registry, runner, started.structured, started.summary) : {};
}

/** A run just started (by /run, or the terminal's orchestrator): recorded in the conversation, said, followed while it runs, then its outcome. */
export async function followAnswer(a: Answer, registry: RunRegistry, runner: string, run: { id: string; name: string }, said: string): Promise<AnswerMeta> {
  const { id, name } = run;
  a.did({ kind: 'run', id });
  a.text(said);
  runButtons(a, { id, name, status: 'running', steering: findRunner(runner)?.steering });
  a.sink.progress('Following its output…');
  const complete = await followRun(id, runner, {
    registry,
    call: (op, args) => a.call(op, args),
    write: (lines) => a.sink.lines(lines),
    signal: a.signal,
  });
  if (!complete) {
    a.text('Stopped following; the agent runs on (/status shows it).');
    return { command: 'run', run: id };
  }
  const ended = await outcome(a, id);
  return { command: 'run', run: id, ...(ended && isFinished(ended.status) ? { ended: true } : {}) };
}

/** The runs, teams and goals this conversation started (after a reload too), each as it is now. */
async function conversationWork(a: Answer): Promise<void> {
  const work = a.session ? (a.ops.sessions()?.work(a.session) ?? []) : [];
  const started = work.filter((w) => w.kind === 'run' || w.kind === 'team' || w.kind === 'goal').slice(-10);
  if (started.length === 0) return;
  a.text(`Started in this conversation (${started.length}):`);
  for (const w of started) {
    const op = { run: 'get_agent_status', team: 'team_status', goal: 'goal_show' }[w.kind as 'run' | 'team' | 'goal'];
    const answer = await a.call(op, w.kind === 'run' ? { id: w.id, tail_lines: 0 } : w.kind === 'team' ? { name: w.id } : { goal_id: w.id });
    a.text(`• ${w.kind} ${answer.ok ? answer.summary : `${w.id}: ${answer.message}`}`);
  }
}

export async function statusAnswer(a: Answer, id: string | undefined): Promise<AnswerMeta> {
  if (!id) {
    await conversationWork(a);
    const got = await a.get<{ agents: AgentBrief[] }>('list_agents', { limit: 20 });
    if (!got) return {};
    a.text(got.summary);
    if (got.structured.agents.length) a.sink.table(got.structured.agents);
    return { command: 'status' };
  }
  const found = await a.call('get_agent_status', { id, tail_lines: 10 });
  // Not a run: a team of that name (the follow-up after /team asks this way).
  const team = !found.ok && found.code === 'unknown_run' ? await a.call('team_status', { name: id }) : undefined;
  if (team?.ok) {
    a.text(team.summary);
    a.button('Show DAG', 'switchboard.showTeamDag', id);
    return { command: 'status', team: id };
  }
  if (!found.ok) {
    a.text(failureText(found));
    return {};
  }
  const got = { structured: found.structured as Detail, summary: found.summary };
  const run = got.structured;
  a.text(`${got.summary}. Runner ${run.runner}${run.model ? ` (${run.model})` : ''} in ${run.cwd}. Prompt: ${run.prompt}`);
  if (run.waiting) a.text(`Waiting for ${run.waiting}.`);
  if (run.last_error && run.status !== 'done') a.text(run.last_error);
  if (run.output_tail) a.sink.block(run.output_tail);
  runButtons(a, run);
  return { command: 'status', run: run.id, ...(isFinished(run.status) ? { ended: true } : {}) };
}

export async function steerAnswer(a: Answer, id: string, message: string | undefined): Promise<AnswerMeta> {
  if (!message) {
    a.text(`What should ${id} do differently? Type /steer ${id} <message>, or:`);
    // What it sends is this conversation's: recorded in its session, made now if need be.
    a.ensureSession();
    steerButton(a, { id });
    return { command: 'steer' };
  }
  const got = await a.get<{ id: string }>('steer_agent', { id, message });
  if (got) a.did({ kind: 'steer', id: got.structured.id, text: message });
  if (got) a.text(got.summary);
  return { command: 'steer', run: got?.structured.id };
}

export async function killAnswer(a: Answer, id: string): Promise<AnswerMeta> {
  const got = await a.get<Detail>('get_agent_status', { id, tail_lines: 0 });
  if (!got) return {};
  const run = got.structured;
  if (run.status !== 'running' && run.status !== 'queued') {
    a.text(`${run.name} is ${run.status}: there is nothing to kill.`);
    return { command: 'kill', run: run.id };
  }
  a.text(`Kill ${run.name} (${run.id}${run.pid ? `, pid ${run.pid}` : ''}) and its whole process tree? It stops at once, losing the turn it is in.`);
  a.confirm(`Kill ${run.name}`, { op: 'kill_agent', args: { id: run.id } });
  return { command: 'kill', run: run.id };
}

export async function killAllAnswer(a: Answer): Promise<AnswerMeta> {
  const running = await a.get<{ agents: AgentBrief[] }>('list_agents', { status: 'running', limit: 1000 });
  const queued = running && (await a.get<{ agents: AgentBrief[] }>('list_agents', { status: 'queued', limit: 1000 }));
  if (!running || !queued) return {};
  const runs = [...running.structured.agents, ...queued.structured.agents];
  if (runs.length === 0) {
    a.text('No agent is running.');
    return { command: 'kill' };
  }
  a.text(`Kill all ${runs.length} running agent${runs.length === 1 ? '' : 's'} (${runs.map((r) => r.name).join(', ')}) and their process trees?`);
  a.confirm(`Kill All (${runs.length})`, ...runs.map((r) => ({ op: 'kill_agent', args: { id: r.id } })));
  return { command: 'kill' };
}

export async function logsAnswer(a: Answer, id: string): Promise<AnswerMeta> {
  const got = await a.get<Detail>('get_agent_status', { id, tail_lines: 60 });
  if (!got) return {};
  a.text(got.summary);
  if (got.structured.output_tail) a.sink.block(got.structured.output_tail);
  else a.text('No readable output yet.');
  a.button('Show Output', 'switchboard.showAgentOutput', { id: got.structured.id });
  return { command: 'logs', run: got.structured.id };
}
