/**
 * The chat answers beyond /run, over a real Switchboard and the operations, into a recording sink:
 * /goal proposes budgets and the gates detected in the workspace behind a Start Goal question,
 * /gates, /discoveries, /budget and /doctor answer from their operations, /help lists the commands;
 * in an untrusted workspace it lists but starts nothing, and says why; /team reports its tasks as they finish.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Answer, type ChatSink, type ConfirmArg } from '../../src/chat/answerContext';
import { parseChatRequest } from '../../src/chat/chatCommands';
import { ChatOps } from '../../src/chat/chatOps';
import { dispatch } from '../../src/chat/dispatch';
import { silentLogger } from '../../src/core/logger';
import { McpService } from '../../src/mcp/mcpService';
import { SwitchboardError } from '../../src/core/errors';
import { createHarness, fakeCommand, tempDir, type Harness } from '../support/harness';

describe('chat: answers over the operations', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: McpService;
  let workspace: string;
  before(async () => {
    h = await createHarness();
    workspace = tempDir('sb-chat-ws-');
    fs.writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ scripts: { test: 'mocha', lint: 'eslint .' } }));
    service = new McpService({ switchboard: h.switchboard, logger: silentLogger, doctor: () => Promise.resolve({ stateDir: h.stateDir, runners: [], node: process.version, platform: process.platform }) as never, defaultCwd: () => workspace, guard: () => {} });
  });
  after(async () => {
    await service.dispose();
    await h.cleanup();
  });

  async function ask(command: string, prompt = ''): Promise<{ said: string[]; confirms: ConfirmArg[]; buttons: string[] }> {
    const said: string[] = [];
    const confirms: ConfirmArg[] = [];
    const buttons: string[] = [];
    const sink: ChatSink = { text: (t) => said.push(t), block: (t) => said.push(t), lines: (l) => said.push(...l), table: () => said.push('(table)'), progress: () => {}, button: (title) => buttons.push(title), confirm: (c) => confirms.push(c), markdown: (m) => said.push(m) };
    const a = new Answer(new ChatOps(() => service.deps), sink, new AbortController().signal, undefined, `/${command} ${prompt}`, workspace);
    await dispatch(a, parseChatRequest(command, prompt), { workspace, teamChanges: () => ({ dispose() {} }), freeHelp: 'free', free: async () => ({}) });
    return { said, confirms, buttons };
  }

  it('/goal proposes budgets and the detected gates, and starts nothing until confirmed', async () => {
    const { said, confirms } = await ask('goal', 'the tests pass');
    assert.match(said.join('\n'), /Proposed budgets: 2h of wall time and \$10\.00/);
    assert.match(said.join('\n'), /• npm test \(package\.json has a "test" script\)/);
    assert.match(said.join('\n'), /• npm run lint, optional \(/);
    assert.deepEqual(confirms.map((c) => c.title), ['Start Goal']);
    assert.deepEqual(confirms[0]!.calls[0], { op: 'goal_create', args: { objective: 'the tests pass', budget_time: '2h', budget_usd: 10, gates: [{ name: 'npm test', command: 'npm test', required: true }, { name: 'npm run lint', command: 'npm run lint', required: false }] } });
    assert.equal(h.switchboard.goals.list().length, 0);
  });

  it('/gates, /discoveries, /budget and /doctor answer from their operations', async () => {
    assert.match((await ask('gates')).said.join('\n'), /No gate has run in .* yet: no breakers/);
    assert.match((await ask('discoveries')).said.join('\n'), /No discovery is pending/);
    assert.match((await ask('budget')).said.join('\n'), /goal/i);
    assert.match((await ask('budget', 'goal-20261206-abc123')).said.join('\n'), /goal-20261206-abc123/);
    const doctor = await ask('doctor');
    assert.ok(doctor.said.length > 0);
    assert.deepEqual(doctor.buttons, ['Open Doctor']);
    assert.match((await ask('help')).said.join('\n'), /\/run <runner> <prompt>: Start an agent/);
    assert.match((await ask('status', 'no-such-thing')).said.join('\n'), /No run is called "no-such-thing"/);
  });

  it('in an untrusted workspace lists but starts nothing, and says why', async () => {
    // The guard VS Code gives the operations in an untrusted workspace (src/vscode/trust.ts says the same).
    const untrusted = new McpService({
      switchboard: h.switchboard, logger: silentLogger, doctor: () => Promise.reject(new Error('not here')), defaultCwd: () => workspace,
      guard: (action) => {
        throw new SwitchboardError('invalid_argument', `This workspace is not trusted, so Switchboard will not ${action} agents.`, 'Trust the workspace (Manage Workspace Trust) if you want agents to run here.');
      },
    });
    try {
      const said: string[] = [];
      const sink: ChatSink = { text: (t) => said.push(t), block: (t) => said.push(t), lines: (l) => said.push(...l), table: () => said.push('(table)'), progress: () => {}, button: () => {}, confirm: () => {}, markdown: (m) => said.push(m) };
      const before = h.registry.list().length;
      for (const [command, prompt] of [['run', 'custom do something'], ['status', '']] as const) {
        const a = new Answer(new ChatOps(() => untrusted.deps), sink, new AbortController().signal, undefined, `/${command} ${prompt}`, workspace);
        await dispatch(a, parseChatRequest(command, prompt), { workspace, teamChanges: () => ({ dispose() {} }), freeHelp: 'free', free: async () => ({}) });
      }
      assert.match(said.join('\n'), /not trusted, so Switchboard will not start agents/);
      assert.equal(h.registry.list().length, before, 'nothing started');
      assert.ok(said.some((s) => /No run|running|runs?/i.test(s)), `status still answers: ${said.join(' | ')}`);
    } finally {
      await untrusted.dispose();
    }
  });

  it('/team starts a team and reports its task as it finishes, with Show DAG', async () => {
    const teamHarness = await createHarness({ runners: { custom: { command: fakeCommand('--sleep', '300') } } });
    const teamService = new McpService({ switchboard: teamHarness.switchboard, logger: silentLogger, doctor: () => Promise.reject(new Error('not here')), defaultCwd: () => workspace, guard: () => {} });
    try {
      const said: string[] = [];
      const buttons: string[] = [];
      const sink: ChatSink = { text: (t) => said.push(t), block: (t) => said.push(t), lines: (l) => said.push(...l), table: () => said.push('(table)'), progress: () => {}, button: (title) => buttons.push(title), confirm: () => {}, markdown: (m) => said.push(m) };
      const a = new Answer(new ChatOps(() => teamService.deps), sink, new AbortController().signal, undefined, '/team 1:executor:custom write the notes', workspace);
      const teamChanges = (listener: (teams: readonly string[]) => void) => teamHarness.switchboard.runs.onDidChange(({ run }) => run.links.team && listener([run.links.team]));
      await dispatch(a, parseChatRequest('team', '1:executor:custom write the notes'), { workspace, teamChanges, freeHelp: 'free', free: async () => ({}) });
      const text = said.join('\n');
      assert.deepEqual(buttons.slice(0, 1), ['Show DAG']);
      assert.match(text, /T1 done: write the notes \(executor-1\)/);
      assert.match(said.at(-1)!, /done/);
    } finally {
      await teamService.dispose();
      await teamHarness.cleanup();
    }
  });
});
