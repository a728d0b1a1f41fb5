/** The chat panel's vscode-free parts: slash-command parsing, answers' text, follow-ups, buttons' questions, and package.json kept equal to the code. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { OPERATIONS } from '../../src/ops/operations';
import { CHAT_COMMANDS, parseChatRequest } from '../../src/chat/chatCommands';
import { escapeMarkdown, fenced, outputMarkdown } from '../../src/chat/chatText';
import { agentTable } from '../../src/chat/statusText';
import { confirmationTitle, isDestructive, opNameOf, toolContribution, toolName } from '../../src/chat/toolManifest';
import { toolResultText, workOfToolResult } from '../../src/chat/toolResult';
import { followupsOf } from '../../src/chat/followups';
import { answered } from '../../src/chat/confirmed';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('chat: slash commands', () => {
  it('reads each command and its arguments, any whitespace between words', () => {
    assert.deepEqual(parseChatRequest('run', '  custom   echo  hello\nworld '), { kind: 'run', runner: 'custom', prompt: 'echo  hello\nworld' });
    assert.deepEqual(parseChatRequest('status', ''), { kind: 'status' });
    assert.deepEqual(parseChatRequest('status', 'r-123'), { kind: 'status', id: 'r-123' });
    assert.deepEqual(parseChatRequest('steer', 'fix-bug use the other API'), { kind: 'steer', id: 'fix-bug', message: 'use the other API' });
    assert.deepEqual(parseChatRequest('steer', 'r-1'), { kind: 'steer', id: 'r-1' });
    assert.deepEqual(parseChatRequest('kill', 'r-1'), { kind: 'kill', id: 'r-1' });
    assert.deepEqual(parseChatRequest('kill', 'ALL'), { kind: 'killAll' });
    assert.deepEqual(parseChatRequest('logs', 'r-1'), { kind: 'logs', id: 'r-1' });
    assert.deepEqual(parseChatRequest('team', '1:planner,2:executor add a login page'), { kind: 'team', spec: '1:planner,2:executor', task: 'add a login page' });
    assert.deepEqual(parseChatRequest('goal', ' the tests pass '), { kind: 'goal', objective: 'the tests pass' });
    assert.deepEqual(parseChatRequest('budget', ''), { kind: 'budget' });
    assert.deepEqual(parseChatRequest('budget', 'goal-20261206-abc123'), { kind: 'budget', goal: 'goal-20261206-abc123' });
    for (const kind of ['gates', 'discoveries', 'doctor', 'help'] as const) assert.deepEqual(parseChatRequest(kind, ''), { kind });
  });

  it('free text goes to the model; an empty request gets the help', () => {
    assert.deepEqual(parseChatRequest(undefined, ' run codex on this bug '), { kind: 'free', text: 'run codex on this bug' });
    assert.deepEqual(parseChatRequest(undefined, '  '), { kind: 'help' });
  });

  it('says what is missing, with the usage, instead of guessing', () => {
    const cases: [string, string, RegExp, string][] = [
      ['run', '', /which runner/, '/run <runner> <prompt>'],
      ['run', 'claude', /what claude should do/, '/run <runner> <prompt>'],
      ['steer', '', /which run/, '/steer <id> <message>'],
      ['kill', '', /which run/, '/kill <id>|all'],
      ['kill', 'r-1 r-2', /left over/, '/kill <id>|all'],
      ['logs', '', /which run/i, '/logs <id>'],
      ['team', '2:executor', /what the team is for/, '/team <spec> <goal>'],
      ['goal', '', /what should be true/, '/goal <objective>'],
      ['nope', 'x', /no \/nope command/, '/help'],
    ];
    for (const [command, prompt, message, usage] of cases) {
      const action = parseChatRequest(command, prompt);
      assert.equal(action.kind, 'invalid', `${command} ${prompt}`);
      if (action.kind !== 'invalid') continue;
      assert.match(action.message, message);
      assert.equal(action.usage, usage);
    }
  });
});

describe('chat: answer text', () => {
  it('shows what agents wrote as text: markdown, links, HTML and command links are escaped', () => {
    const evil = '# title\n**bold** [x](command:switchboard.killAllAgents) <img src=x onerror=alert(1)> `code` | a | b |';
    const md = escapeMarkdown(evil);
    assert.ok(!/(^|[^\\])[#*[\]()<>`|]/.test(md), md);
    assert.equal(md.split('  \n').length, 2);
    // Unescaping gives the text back.
    assert.equal(md.replace(/ {2}\n/g, '\n').replace(/\\(.)/g, '$1'), evil);
    assert.equal(escapeMarkdown('  indented'), '&nbsp;&nbsp;indented');
  });

  it('fences a block with a fence longer than any backticks inside', () => {
    assert.equal(fenced('a\n'), '```text\na\n```\n');
    const block = fenced('x ```` y');
    assert.ok(block.startsWith('`````text\n') && block.endsWith('\n`````\n'), block);
  });

  it('renders output lines one per line, dropping blank ones', () => {
    assert.equal(outputMarkdown(['→ Bash ls', '', 'done.']), '→ Bash ls  \ndone\\.  \n');
    assert.equal(outputMarkdown(['', ' ']), '');
  });

  it('renders a command\'s coloured output as its words: the panel draws no terminal colour codes', () => {
    assert.equal(outputMarkdown(['\x1b[31m\x1b[1mERROR\x1b[22m\x1b[39m in the parser', '\x1b[0m']), 'ERROR in the parser  \n');
  });

  it('tabulates runs with every cell escaped', () => {
    const table = agentTable([
      { id: 'r-1', name: 'fix|bug', runner: 'claude', status: 'done', cwd: '/w', prompt: 'p', created_at: '', elapsed_ms: 65_000, usage: { input_tokens: 1000, output_tokens: 500, usd: 0.25 } },
      { id: 'r-2', name: 'guess', runner: 'qwen', status: 'done', cwd: '/w', prompt: 'p', created_at: '', elapsed_ms: 1_000, usage: { input_tokens: 10, output_tokens: 5, usd: 0.5, usd_estimated: true } },
    ]);
    const [, , row, estimated] = table.trim().split('\n');
    assert.equal(row, '| fix\\|bug | r\\-1 | done | 1m05s | 1\\.5k tok \\$0\\.25 |');
    assert.match(estimated!, /~\\\$0\\\.50 \|$/, 'an estimated cost is marked');
  });
});

describe('chat: package.json', () => {
  it('contributes the participant with exactly the slash commands it handles', () => {
    const [participant] = manifest.contributes.chatParticipants as { id: string; name: string; isSticky: boolean; commands: { name: string; description: string }[] }[];
    assert.equal(participant!.id, 'switchboard.chat');
    assert.equal(participant!.name, 'switchboard');
    assert.equal(participant!.isSticky, true);
    assert.deepEqual(participant!.commands, CHAT_COMMANDS.map(({ name, description }) => ({ name, description })));
  });

  it("contributes every operation as a language model tool whose input schema is the operation's zod input", () => {
    const tools = manifest.contributes.languageModelTools as { name: string; inputSchema: unknown; modelDescription: string }[];
    assert.deepEqual(tools, OPERATIONS.map(toolContribution), 'package.json is stale: run npx tsx scripts/syncChatTools.ts');
    for (const op of OPERATIONS) {
      const tool: { name: string; inputSchema: unknown } = tools.find((t) => t.name === toolName(op))!;
      const { $schema: _s, ...schema } = z.toJSONSchema(op.input, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
      assert.deepEqual(tool.inputSchema, schema, op.name);
      assert.equal(opNameOf(tool.name), op.name);
      assert.match(tool.name, /^[\w-]{1,64}$/);
    }
  });

  it('asks before the operations that stop or remove work', () => {
    const destructive = OPERATIONS.filter(isDestructive).map((op) => op.name);
    for (const name of ['kill_agent', 'team_shutdown', 'goal_rollback', 'run_merge', 'merge_worker']) assert.ok(destructive.includes(name), name);
    assert.ok(!destructive.includes('run_agent') && !destructive.includes('list_agents'));
  });

  it("names what a destructive call acts on in its question", () => {
    const op = (name: string) => OPERATIONS.find((o) => o.name === name)!;
    assert.equal(confirmationTitle(op('kill_agent'), { id: 'custom-3' }), 'Kill an agent: custom-3?');
    assert.equal(confirmationTitle(op('goal_cancel'), { goal_id: 'goal-20261207-abcdef' }), `${op('goal_cancel').title}: goal-20261207-abcdef?`);
    assert.equal(confirmationTitle(op('kill_agent'), undefined), 'Kill an agent?');
  });
});

describe('chat: tool answers', () => {
  it('answers with the summary and the structured answer, and reads back the work they did', () => {
    const started = toolResultText({ ok: true, summary: 'Started claude-1 (id r1).', structured: { id: 'r1', name: 'claude-1', status: 'running' } });
    assert.equal(started, 'Started claude-1 (id r1).\n{"id":"r1","name":"claude-1","status":"running"}');
    assert.deepEqual(workOfToolResult('run_agent', { runner: 'claude', prompt: 'p' }, started), { kind: 'run', id: 'r1' });
    assert.deepEqual(workOfToolResult('goal_create', { objective: 'o' }, toolResultText({ ok: true, summary: 's', structured: { goal_id: 'goal-20261207-abcdef' } })), { kind: 'goal', id: 'goal-20261207-abcdef' });
    assert.deepEqual(workOfToolResult('team_run', {}, toolResultText({ ok: true, summary: 's', structured: { name: 'alpha' } })), { kind: 'team', id: 'alpha' });
    assert.equal(workOfToolResult('list_agents', {}, started), undefined);
    const failed = toolResultText({ ok: false, code: 'unknown_run', message: 'No run is called "x".', hint: 'List the runs.' });
    assert.equal(failed, 'Error (unknown_run): No run is called "x". List the runs.');
    assert.equal(workOfToolResult('kill_agent', { id: 'x' }, failed), undefined);
    assert.equal(workOfToolResult('kill_agent', { id: 'x' }, 'Killed\nnot json'), undefined);
    // A steer keeps its message (from the call's input: the answer does not repeat it).
    const steered = toolResultText({ ok: true, summary: 'Steered claude-1 (live on its input).', structured: { id: 'r1', name: 'claude-1', delivery: 'live' } });
    assert.deepEqual(workOfToolResult('steer_agent', { id: 'claude-1', message: 'go left' }, steered), { kind: 'steer', id: 'r1', text: 'go left' });
  });
});

describe('chat: follow-ups and questions', () => {
  it('offers Steer, Show Output and Kill after a running run, Show Output alone once it ended, and the team status after a team', () => {
    assert.deepEqual(followupsOf({ command: 'run', run: 'r1' }).map((f) => `${f.label}: /${f.command} ${f.prompt}`), ['Steer: /steer r1', 'Show Output: /logs r1', 'Kill: /kill r1']);
    assert.deepEqual(followupsOf({ command: 'run', run: 'r1', ended: true }).map((f) => f.label), ['Show Output']);
    assert.deepEqual(followupsOf({ command: 'team', team: 'alpha' }), [{ label: 'Team status and DAG', command: 'status', prompt: 'alpha' }]);
    assert.deepEqual(followupsOf({ command: 'help' }), []);
  });

  it("puts the user's answer to a button's question (Steer…'s message) into each of its calls", () => {
    const steer = { title: 'Steer…', calls: [{ op: 'steer_agent', args: { id: 'r1' } }], session: 'chat-20261207-abcdef', ask: { prompt: 'What should r1 do differently?', arg: 'message' } };
    assert.deepEqual(answered(steer, 'go left'), { title: 'Steer…', calls: [{ op: 'steer_agent', args: { id: 'r1', message: 'go left' } }], session: 'chat-20261207-abcdef', ask: undefined });
    const kill = { title: 'Kill', calls: [{ op: 'kill_agent', args: { id: 'r1' } }] };
    assert.equal(answered(kill, 'ignored'), kill);
  });
});
