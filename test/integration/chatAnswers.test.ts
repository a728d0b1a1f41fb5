/**
 * The chat answers over a real Switchboard and the operations, into a recording sink: /goal proposes
 * budgets and the gates detected in the workspace behind a Start Goal question, and Start Goal
 * starts the goal and records it in the conversation; /gates with open breakers offers Reset (which
 * closes them); /discoveries offers Promote (which makes the discovery a task of its team) and
 * Dismiss…; /budget, /doctor and /help answer from their operations; in an untrusted workspace it
 * lists but starts nothing, and /goal and /team say so up front; /team reports its tasks as they
 * finish; /run with a Claude Code printing a real transcript streams its tool call and result, then
 * the outcome with tokens and spend; /logs answers with the output; /steer and the Steer… button
 * steer a live Claude Code through the chat, recorded in the conversation.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Answer, type AnswerMeta, type ChatSink, type ConfirmArg } from '../../src/chat/answerContext';
import { parseChatRequest } from '../../src/chat/chatCommands';
import { ChatOps } from '../../src/chat/chatOps';
import { answered, runConfirmed } from '../../src/chat/confirmed';
import { dispatch } from '../../src/chat/dispatch';
import type { TeamChanges } from '../../src/chat/workAnswers';
import { Breakers } from '../../src/core/gates/breakers';
import { silentLogger } from '../../src/core/logger';
import type { SwitchboardConfig } from '../../src/core/config';
import type { Switchboard } from '../../src/core/switchboard';
import { McpService } from '../../src/mcp/mcpService';
import { SwitchboardError } from '../../src/core/errors';
import { createHarness, FAKE_AGENT, fakeCommand, tempDir, until, type Harness } from '../support/harness';
import { makeRepo } from '../support/gitRepo';
import { TRANSCRIPTS } from '../support/transcripts';

interface Asked {
  said: string[];
  confirms: ConfirmArg[];
  buttons: { title: string; command: string; args: unknown[] }[];
  meta: AnswerMeta;
  session: string | undefined;
}

/** The operations over `sb` as a window serves them (`guard`: what an untrusted workspace refuses). */
const serviceOver = (sb: Switchboard, workspace: string, guard: McpService['deps']['host']['guard'] = () => {}): McpService =>
  new McpService({ switchboard: sb, logger: silentLogger, doctor: () => Promise.resolve({ stateDir: sb.stateDir, runners: [], node: process.version, platform: process.platform }) as never, defaultCwd: () => workspace, guard });

/** Asks `/<command> <prompt>` in a conversation (`session`, if it has one yet), into a sink that records what the answer says. */
async function ask(service: McpService, workspace: string, command: string, prompt = '', options: { session?: string; signal?: AbortSignal } = {}): Promise<Asked> {
  const asked: Omit<Asked, 'meta' | 'session'> = { said: [], confirms: [], buttons: [] };
  const sink: ChatSink = {
    text: (t) => asked.said.push(t),
    block: (t) => asked.said.push(t),
    lines: (l) => asked.said.push(...l),
    table: (agents) => asked.said.push(`(table of ${agents.length})`),
    progress: () => {},
    button: (title, cmd, args) => asked.buttons.push({ title, command: cmd, args }),
    confirm: (c) => asked.confirms.push(c),
    markdown: (m) => asked.said.push(m),
  };
  const sb = service.deps.sb;
  const a = new Answer(new ChatOps(() => service.deps), sink, options.signal ?? new AbortController().signal, options.session, `/${command} ${prompt}`, workspace);
  const teamChanges: TeamChanges = (listener) => sb.runs.onDidChange(({ run }) => run.links.team && listener([run.links.team]));
  const meta = await dispatch(a, parseChatRequest(command, prompt), { workspace, teamChanges, freeHelp: 'free', ownGates: 'own gates here', free: async () => ({}) });
  return { ...asked, meta, session: a.session };
}

/** One test's own Switchboard (with `config`), served as a window serves it over `workspace`; closed after `work`. */
async function withOwn(config: Partial<SwitchboardConfig>, workspace: string, work: (service: McpService, own: Harness) => Promise<void>): Promise<void> {
  const own = await createHarness(config);
  const service = serviceOver(own.switchboard, workspace);
  try {
    await work(service, own);
  } finally {
    await service.dispose();
    await own.cleanup();
  }
}

/** A `claude` that is the scripted agent in Claude Code's stream-json (test/fixtures/fakeAgent.mjs with these options). */
function claudeBinary(...args: string[]): string {
  const bin = path.join(tempDir('sb-chat-claude-'), 'claude');
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude ${args.map((a) => `'${a}'`).join(' ')} "$@"\n`, { mode: 0o755 });
  return bin;
}

/** What a confirmation did once the user said yes. */
async function confirm(service: McpService, arg: Partial<ConfirmArg>): Promise<string[]> {
  const said: string[] = [];
  await runConfirmed(new ChatOps(() => service.deps), arg, (ok, text) => said.push(`${ok ? '' : 'failed: '}${text}`));
  return said;
}

describe('chat: answers over the operations', function () {
  this.timeout(90_000);
  let h: Harness;
  let service: McpService;
  let workspace: string;
  before(async () => {
    h = await createHarness();
    workspace = tempDir('sb-chat-ws-');
    fs.writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'mocha', lint: 'eslint .' } }));
    service = serviceOver(h.switchboard, workspace);
  });
  after(async () => {
    await service.dispose();
    await h.cleanup();
  });

  it('/goal proposes budgets and the detected gates, and starts nothing until confirmed', async () => {
    const { said, confirms } = await ask(service, workspace, 'goal', 'the tests pass');
    assert.match(said.join('\n'), /Proposed budgets: 2h of wall time and \$10\.00/);
    assert.match(said.join('\n'), /• npm test \(package\.json has a "test" script\)/);
    assert.match(said.join('\n'), /• npm run lint, optional \(/);
    assert.deepEqual(confirms.map((c) => c.title), ['Start Goal']);
    assert.deepEqual(confirms[0]!.calls[0], { op: 'goal_create', args: { objective: 'the tests pass', budget_time: '2h', budget_usd: 10, gates: [{ name: 'npm test', command: 'npm test', required: true }, { name: 'npm run lint', command: 'npm run lint', required: false }] } });
    assert.equal(h.switchboard.goals.list().length, 0);
  });

  it('/gates, /discoveries, /budget and /doctor answer from their operations', async () => {
    assert.match((await ask(service, workspace, 'gates')).said.join('\n'), /No gate has run in .* yet: no breakers/);
    assert.match((await ask(service, workspace, 'discoveries')).said.join('\n'), /No discovery is pending/);
    assert.match((await ask(service, workspace, 'budget')).said.join('\n'), /goal/i);
    assert.match((await ask(service, workspace, 'budget', 'goal-20261206-abc123')).said.join('\n'), /goal-20261206-abc123/);
    const doctor = await ask(service, workspace, 'doctor');
    assert.ok(doctor.said.length > 0);
    assert.deepEqual(doctor.buttons.map((b) => b.title), ['Open Doctor']);
    assert.match((await ask(service, workspace, 'help')).said.join('\n'), /\/run <runner> <prompt>: Start an agent/);
    assert.match((await ask(service, workspace, 'status', 'no-such-thing')).said.join('\n'), /No run is called "no-such-thing"/);
  });

  it('/gates offers Reset for each open breaker (and Reset All); Reset closes it', async () => {
    const breakers = new Breakers(h.stateDir, workspace);
    for (let i = 0; i < 5; i++) await breakers.record('npm test', false);
    for (let i = 0; i < 5; i++) await breakers.record('npm run lint', false);
    await breakers.record('tsc', true);
    const { said, confirms } = await ask(service, workspace, 'gates');
    assert.match(said.join('\n'), /• npm test: Open, 5 failure\(s\) in a row, last at \d{4}-/);
    assert.match(said.join('\n'), /• tsc: Closed, 0 failure\(s\) in a row/);
    assert.deepEqual(confirms.map((c) => c.title), ['Reset npm test', 'Reset npm run lint', 'Reset All']);
    assert.deepEqual(await confirm(service, confirms[0]!), ['Reset the breaker of "npm test" (was Open) to Closed.']);
    const after = await ask(service, workspace, 'gates');
    assert.match(after.said.join('\n'), /• npm test: Closed/);
    assert.deepEqual(after.confirms.map((c) => c.title), ['Reset npm run lint']);
    await confirm(service, after.confirms[0]!);
    assert.deepEqual((await ask(service, workspace, 'gates')).confirms, []);
  });

  it('in an untrusted workspace lists but starts nothing, and /goal and /team say so up front', async () => {
    // The guard VS Code gives the operations in an untrusted workspace (src/vscode/trust.ts says the same).
    const untrusted = serviceOver(h.switchboard, workspace, (action) => {
      throw new SwitchboardError('invalid_argument', `This workspace is not trusted, so Switchboard will not ${action} agents.`, 'Trust the workspace (Manage Workspace Trust) if you want agents to run here.');
    });
    try {
      const before = h.registry.list().length;
      const run = await ask(untrusted, workspace, 'run', 'custom do something');
      assert.match(run.said.join('\n'), /not trusted, so Switchboard will not start agents/);
      const goal = await ask(untrusted, workspace, 'goal', 'the tests pass');
      assert.match(goal.said[0]!, /^Nothing will start: this goal can be proposed, not started\. This workspace is not trusted/);
      assert.match(goal.said.join('\n'), /• npm test/);
      assert.deepEqual(goal.confirms, [], 'no Start Goal');
      const team = await ask(untrusted, workspace, 'team', '1:executor:custom write the notes');
      assert.deepEqual(team.said, ['Nothing will start: no team runs in this workspace. This workspace is not trusted, so Switchboard will not start agents. Trust the workspace (Manage Workspace Trust) if you want agents to run here.']);
      assert.equal(h.registry.list().length, before, 'nothing started');
      assert.equal(h.switchboard.teams.list().length, 0);
      // What it lists is the real list: /status answers with what list_agents says.
      const listed = await new ChatOps(() => untrusted.deps).call('list_agents', { limit: 20 }, new AbortController().signal);
      assert.ok(listed.ok);
      assert.deepEqual((await ask(untrusted, workspace, 'status')).said, [listed.summary, ...(before ? [`(table of ${before})`] : [])]);
    } finally {
      await untrusted.dispose();
    }
  });

  it('/team starts a team and reports its task as it finishes, with Show DAG', async () => {
    await withOwn({ runners: { custom: { command: fakeCommand('--sleep', '300') } } }, workspace, async (teamService, own) => {
      const { said, buttons, meta } = await ask(teamService, workspace, 'team', '1:executor:custom write the notes');
      assert.deepEqual(buttons.slice(0, 1).map((b) => b.title), ['Show DAG']);
      assert.match(said.join('\n'), /T1 done: write the notes \(executor-1\)/);
      assert.match(said.at(-1)!, /done/);
      assert.equal(meta.team, own.switchboard.teams.list()[0]!.name);
    });
  });

  it("/discoveries offers Promote and Dismiss… for a pending discovery; Promote makes it a task of its team", async () => {
    await withOwn({ runners: { custom: { command: fakeCommand('--sleep', '30000') } } }, workspace, async (teamService, teamHarness) => {
      const ops = new ChatOps(() => teamService.deps);
      const signal = new AbortController().signal;
      const started = await ops.call('team_run', { spec: '1:executor:custom', task: 'a long task' }, signal);
      assert.ok(started.ok, JSON.stringify(started));
      const team = String(started.structured.name);
      assert.ok((await ops.call('report_discovery', { team, title: 'Retries never stop', description: 'client.ts retries forever' }, signal)).ok);
      const { said, confirms, buttons } = await ask(teamService, workspace, 'discoveries');
      assert.deepEqual(said, [`DSC-001 (team ${team}): Retries never stop. client.ts retries forever`]);
      assert.deepEqual(confirms.map((c) => [c.title, c.calls]), [['Promote DSC-001', [{ op: 'discovery_promote', args: { id: 'DSC-001', team } }]]]);
      assert.deepEqual(buttons.map((b) => [b.title, b.command, b.args]), [['Dismiss DSC-001…', 'switchboard.dismissDiscovery', [{ discovery: 'DSC-001', team }]]]);
      const promoted = await confirm(teamService, confirms[0]!);
      assert.ok(!promoted[0]!.startsWith('failed'), promoted.join('\n'));
      assert.equal(teamHarness.switchboard.discoveries.list({ team })[0]!.status, 'promoted');
      assert.ok(teamHarness.switchboard.teams.get(team).tasks.some((t) => t.id === 'DSC-001'), 'the team has the task');
      assert.match((await ask(teamService, workspace, 'discoveries')).said.join('\n'), /No discovery is pending/);
    });
  });

  it("Start Goal starts the goal and records it in the conversation", async () => {
    const repo = makeRepo({ 'README.md': '# goal here\n', 'package.json': JSON.stringify({ scripts: { test: 'node -e 0' } }) });
    await withOwn({ runners: { claude: { binary: claudeBinary('--text', 'planning') } } }, repo, async (goalService, goalHarness) => {
      const proposed = await ask(goalService, repo, 'goal', 'the notes are written');
      assert.ok(proposed.session, 'the proposal made the conversation a session, for Start Goal to record in');
      assert.equal(proposed.confirms[0]!.session, proposed.session);
      const said = await confirm(goalService, proposed.confirms[0]!);
      const [goal] = goalHarness.switchboard.goals.list();
      assert.ok(goal, said.join('\n'));
      assert.equal(goal.originalGoal, 'the notes are written');
      assert.deepEqual(goal.gates.map((g) => g.command), ['npm test']);
      const sessions = goalService.deps.sb.state;
      const work = new ChatOps(() => goalService.deps).sessions()!.work(proposed.session!);
      assert.deepEqual(work.map((w) => [w.kind, w.id]), [['goal', goal.id]]);
      assert.ok(fs.existsSync(sessions.session(proposed.session!).events));
      // A later /status of the conversation names it.
      assert.match((await ask(goalService, repo, 'status', '', { session: proposed.session })).said.join('\n'), new RegExp(`Started in this conversation \\(1\\):\\n• goal .*${goal.id}`));
      await goalHarness.switchboard.goals.cancel(goal.id).catch(() => undefined);
    });
  });

  it('/run streams a real transcript\'s tool call and result, then the outcome with tokens and spend; /logs shows the output', async () => {
    // Prints what a real Claude Code printed for a one-shot run that wrote a file.
    const bin = path.join(tempDir('sb-chat-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\ncat "${path.join(TRANSCRIPTS, 'claude', 'oneshot.jsonl')}"\n`, { mode: 0o755 });
    await withOwn({ runners: { claude: { binary: bin } } }, workspace, async (service) => {
      const { said, buttons, meta } = await ask(service, workspace, 'run', 'claude write hello.txt');
      const text = said.join('\n');
      assert.match(text, /^Started claude-1 \(id \w+, pid \d+\) with claude/);
      assert.match(text, /\n→ Write .*hello\.txt\n/);
      assert.match(text, /\n← /);
      assert.match(text, /\n✓ finished\n/);
      // The outcome: status, tokens and spend, then the final answer.
      assert.match(text, /claude-1 \(\w+\) done, [^\n]*\d+ tok, \$0\.\d+/);
      assert.equal(said.at(-1), 'Wrote hello.txt.');
      assert.deepEqual(buttons.map((b) => b.title), ['Steer…', 'Interrupt', 'Kill', 'Show Output']);
      assert.deepEqual({ command: meta.command, ended: meta.ended }, { command: 'run', ended: true });
      const logs = await ask(service, workspace, 'logs', 'claude-1');
      assert.match(logs.said[0]!, /claude-1 \(\w+\) done/);
      assert.match(logs.said.join('\n'), /Wrote hello\.txt\./);
      assert.deepEqual(logs.buttons.map((b) => b.title), ['Show Output']);
      assert.equal(logs.meta.run, meta.run);
    });
  });

  it('/steer and the Steer… button steer a live Claude Code through the chat, each recorded in the conversation', async () => {
    await withOwn({ runners: { claude: { binary: claudeBinary('--stdin', '--sleep', '500') } } }, workspace, async (service, h) => {
      const abort = new AbortController();
      // /run follows until the run ends: stopped once the first turn is acknowledged (the agent runs on).
      const running = ask(service, workspace, 'run', 'claude first', { signal: abort.signal });
      await until(() => h.registry.list().some((r) => h.registry.events(r.id).some((e) => e.type === 'text' && e.text === 'ack: first')), 20_000, 'the first turn');
      abort.abort();
      const started = await running;
      const id = started.meta.run!;
      const session = started.session!;
      assert.ok(session);
      const steered = await ask(service, workspace, 'steer', `${id} second`, { session });
      assert.deepEqual(steered.said, ['Steered claude-1 (live on its input).']);
      // Without a message (the Steer follow-up): the Steer… button, which asks, then steers.
      const offered = await ask(service, workspace, 'steer', id, { session });
      assert.deepEqual(offered.said, [`What should ${id} do differently? Type /steer ${id} <message>, or:`]);
      const button = offered.buttons.find((b) => b.title === 'Steer…')!;
      const arg = button.args[0] as ConfirmArg;
      assert.deepEqual({ session: arg.session, ask: arg.ask }, { session, ask: { prompt: `What should ${id} do differently?`, arg: 'message' } });
      assert.deepEqual(await confirm(service, answered(arg, 'third')), ['Steered claude-1 (live on its input).']);
      await until(() => h.registry.events(id).some((e) => e.type === 'text' && e.text === 'ack: third'), 20_000, 'the third turn');
      const steers = h.registry.events(id).flatMap((e) => (e.type === 'steer' ? [[e.source, e.message]] : []));
      assert.deepEqual(steers, [['chat', 'second'], ['chat', 'third']]);
      const work = new ChatOps(() => service.deps).sessions()!.work(session);
      assert.deepEqual(work.map((w) => [w.kind, w.id, w.text]), [['run', id, undefined], ['steer', id, 'second'], ['steer', id, 'third']]);
      await h.registry.kill(id, { source: 'test' });
    });
  });
});
