/**
 * Secrets stay out of every answer, with real runs that print them: a plain-text agent (some
 * secrets cut in two by a pause, so its supervisor reads each half on its own) and a Claude Code
 * agent (its answer and result), read over MCP (stream_agent_output a line at a time,
 * get_agent_status, the output resource), over the HTTP API (a run, its output page by page, the
 * list), by the chat participant (/status, /logs) and by the CLI (`status --format json`, `logs`,
 * `events`), while
 * `logs --raw` and output.log keep the bytes as printed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { runEntity } from '../../src/core/feed/entities';
import { Journal } from '../../src/core/feed/journal';
import type { RunRecord } from '../../src/core/runs/types';
import { Answer, type ChatSink } from '../../src/chat/answerContext';
import { parseChatRequest } from '../../src/chat/chatCommands';
import { ChatOps } from '../../src/chat/chatOps';
import { dispatch } from '../../src/chat/dispatch';
import { McpService } from '../../src/mcp/mcpService';
import { runCli } from '../support/cliChild';
import { call, connectHttp } from '../support/mcpClients';
import { createHarness, FAKE_AGENT, ROOT, tempDir, type Harness } from '../support/harness';

const SECRETS = {
  ANTHROPIC: 'sk-ant-api03-Zk3v9Qx7Lp2Rt8Wm4Yn6Bc1Df5Gh0Jk',
  AWS: 'AKIAIOSFODNN7EXAMPLE',
  PEM_BODY: 'MIIEowIBAAKCAQEA7Vr4q9XyQ3mZpLk2Hn5Tg8Wc1Rb6Ys0Jd4Fe7Ua3Oi9Pl2Kj',
  DB_PASSWORD: 'Hunter2Pass9',
};
const SERVICE_TOKEN = 'tok_live_0123456789abcdef';
const TICKET = 'TCK-123456';
const ALL = [...Object.values(SECRETS), SERVICE_TOKEN, TICKET];

/** Any 8 characters in a row of a secret shown (half a secret is a leak too). */
function leaks(answer: string): string[] {
  const found: string[] = [];
  for (const secret of ALL) {
    const width = Math.min(8, secret.length);
    for (let i = 0; i + width <= secret.length; i++) if (answer.includes(secret.slice(i, i + width))) found.push(secret.slice(i, i + width));
  }
  return found;
}

const noLeak = (answer: string, where: string): void => assert.deepEqual(leaks(answer), [], `${where} shows a secret: ${answer}`);

describe('redaction across MCP, the HTTP API and the CLI', function () {
  this.timeout(90_000);
  let h: Harness;
  let service: McpService;
  let client: Client;
  let apiUrl: string;
  let custom: RunRecord;
  let claude: RunRecord;

  before(async () => {
    const bin = path.join(tempDir('sb-redact-claude-'), 'claude');
    const said = `Found ${SECRETS.ANTHROPIC} and ${SECRETS.AWS}; the token is ${SERVICE_TOKEN}, see ${TICKET}. Again ${SECRETS.ANTHROPIC}.`;
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --text '${said}' "$@"\n`, { mode: 0o755 });
    const redaction = { patterns: [{ name: 'ticket', pattern: 'TCK-\\d{6}' }], secrets: [] };
    h = await createHarness({ runners: { claude: { binary: bin } }, redaction }, { MY_SERVICE_TOKEN: SERVICE_TOKEN });
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } }, redaction }));
    const work = tempDir('sb-redact-work-');
    custom = await h.registry.run({
      runner: 'custom',
      prompt: 'print your secrets',
      cwd: work,
      command: `${process.execPath} ${path.join(ROOT, 'test', 'fixtures', 'secretsAgent.mjs')}`,
      env: { SECRETS_AGENT_JSON: JSON.stringify(SECRETS), SECRETS_AGENT_PAUSE_MS: '300' },
    });
    claude = await h.registry.run({ runner: 'claude', prompt: 'look around', cwd: work });
    await h.registry.wait(custom.id, 20_000);
    await h.registry.wait(claude.id, 20_000);
    service = new McpService({ switchboard: h.switchboard, logger: { trace() {}, info() {}, warn() {}, error() {} }, doctor: () => Promise.reject(new Error('not here')), defaultCwd: () => work, guard: () => {} });
    const served = await service.startHttp();
    apiUrl = served.apiUrl;
    client = await connectHttp(served.url, service.token());
  });
  after(async () => {
    await client?.close().catch(() => {});
    await service?.dispose();
    await h.cleanup();
  });

  it('keeps the bytes as printed in output.log and `logs --raw`', async () => {
    const raw = fs.readFileSync(h.switchboard.state.run(custom.id).output, 'utf8');
    for (const secret of ALL) assert.ok(raw.includes(secret), secret);
    const printed = await runCli(h.stateDir, ['logs', custom.id, '--raw']);
    assert.equal(printed.stdout, raw);
  });

  it('streams a plain-text run line by line without a secret or half of one, one placeholder per secret', async () => {
    const lines: string[] = [];
    let cursor = 0;
    for (let page = 0; page < 50; page++) {
      const chunk = (await call(client, 'stream_agent_output', { id: custom.id, cursor, limit: 1 })).structuredContent as { events: { text: string }[]; next_cursor: number; complete: boolean };
      lines.push(...chunk.events.map((e) => e.text));
      if (chunk.complete) break;
      cursor = chunk.next_cursor;
    }
    const text = lines.join('\n');
    noLeak(text, 'stream_agent_output');
    assert.deepEqual(lines, [
      'anthropic key: <<REDACTED_ANTHROPIC_KEY_1>> (keep it safe)',
      'aws <<REDACTED_AWS_KEY_1>>',
      'service token from the env: <<REDACTED_SECRET_1>>',
      '<<REDACTED_PRIVATE_KEY_1>>',
      'db: postgres://app:<<REDACTED_CONNECTION_PASSWORD_1>>@db.internal:5432/app',
      'again: <<REDACTED_ANTHROPIC_KEY_1>>',
      'see ticket <<REDACTED_TICKET_1>> for the rest',
      'done',
    ]);
  });

  it('redacts get_agent_status, the output resource and wait_agent of both runs', async () => {
    for (const run of [custom, claude]) {
      const status = (await call(client, 'get_agent_status', { id: run.id })).structuredContent!;
      noLeak(JSON.stringify(status), `get_agent_status of ${run.runner}`);
      assert.match(String(status.output_tail), /<<REDACTED_ANTHROPIC_KEY_1>>/);
      const resource = await client.readResource({ uri: `switchboard://agents/${run.id}/output` });
      const text = resource.contents.map((c) => ('text' in c ? c.text : '')).join('');
      noLeak(text, `the output resource of ${run.runner}`);
      assert.match(text, /<<REDACTED_AWS_KEY_1>>/);
      noLeak(JSON.stringify((await call(client, 'wait_agent', { id: run.id })).structuredContent), 'wait_agent');
      noLeak(JSON.stringify((await call(client, 'list_agents', {})).structuredContent), 'list_agents');
    }
    const status = (await call(client, 'get_agent_status', { id: claude.id })).structuredContent!;
    assert.equal(status.result_text, 'Found <<REDACTED_ANTHROPIC_KEY_1>> and <<REDACTED_AWS_KEY_1>>; the token is <<REDACTED_SECRET_1>>, see <<REDACTED_TICKET_1>>. Again <<REDACTED_ANTHROPIC_KEY_1>>.');
    const events = (await call(client, 'stream_agent_output', { id: claude.id })).structuredContent as { events: { type: string; text?: string }[] };
    noLeak(JSON.stringify(events), 'stream_agent_output of claude');
    assert.ok(events.events.some((e) => e.type === 'text' && e.text?.includes('<<REDACTED_SECRET_1>>')));
  });

  it('redacts the HTTP API: a run, its output page by page, the list of runs', async () => {
    const get = async (route: string): Promise<string> => {
      const res = await fetch(`${apiUrl}${route}`, { headers: { authorization: `Bearer ${service.token()}` } });
      assert.equal(res.status, 200, route);
      return res.text();
    };
    for (const run of [custom, claude]) {
      const one = await get(`/runs/${run.id}`);
      noLeak(one, `GET /runs/${run.runner}`);
      assert.match(one, /<<REDACTED_ANTHROPIC_KEY_1>>/);
      let cursor: unknown = 0;
      let pages = '';
      for (let n = 0; n < 200 && cursor !== null && cursor !== undefined; n++) {
        const page = JSON.parse(await get(`/runs/${run.id}/output?cursor=${String(cursor)}&limit=1`)) as { next_cursor?: unknown; complete?: boolean };
        pages += JSON.stringify(page);
        if (page.complete || page.next_cursor === cursor) break;
        cursor = page.next_cursor;
      }
      noLeak(pages, `GET /runs/${run.runner}/output`);
      assert.match(pages, /<<REDACTED_/);
    }
    noLeak(await get('/runs'), 'GET /runs');
  });

  it('redacts the CLI: status --format json, list, logs', async () => {
    for (const run of [custom, claude]) {
      const status = await runCli(h.stateDir, ['status', run.id, '--format', 'json']);
      assert.equal(status.code, 0, status.stderr);
      noLeak(status.stdout, `status --format json of ${run.runner}`);
      assert.match((JSON.parse(status.stdout) as { outputTail: string }).outputTail, /<<REDACTED_ANTHROPIC_KEY_1>>/);
      noLeak((await runCli(h.stateDir, ['status', run.id])).stdout, 'status');
      noLeak((await runCli(h.stateDir, ['logs', run.id])).stdout, 'logs');
      noLeak((await runCli(h.stateDir, ['logs', run.id, '--format', 'json'])).stdout, 'logs --format json');
    }
    noLeak((await runCli(h.stateDir, ['list', '--format', 'json'])).stdout, 'list --format json');
  });

  it('redacts the chat participant\'s answers: /status of a run, /logs, the list of runs', async () => {
    const said: string[] = [];
    const sink: ChatSink = { text: (t) => said.push(t), block: (t) => said.push(t), lines: (l) => said.push(...l), table: (agents) => said.push(JSON.stringify(agents)), progress: (m) => said.push(m), button: (_t, _c, args) => said.push(JSON.stringify(args)), confirm: (c) => said.push(JSON.stringify(c)), markdown: (m) => said.push(m) };
    const ask = async (command: string, prompt: string): Promise<string> => {
      said.length = 0;
      const answer = new Answer(new ChatOps(() => service.deps), sink, new AbortController().signal, undefined, `/${command} ${prompt}`, h.stateDir);
      await dispatch(answer, parseChatRequest(command, prompt), { workspace: h.stateDir, teamChanges: () => ({ dispose() {} }), freeHelp: 'free', ownGates: 'own gates here', free: async () => ({}) });
      return said.join('\n');
    };
    for (const run of [custom, claude]) {
      const status = await ask('status', run.id);
      noLeak(status, `chat /status of ${run.runner}`);
      const logs = await ask('logs', run.id);
      noLeak(logs, `chat /logs of ${run.runner}`);
      assert.match(`${status}\n${logs}`, /<<REDACTED_ANTHROPIC_KEY_\d+>>/, `the output is shown, redacted (${run.runner})`);
    }
    noLeak(await ask('status', ''), 'chat /status');
  });

  it('redacts the feed as `events` prints it, as JSON and as a table', async () => {
    const journal = new Journal(h.switchboard.state);
    // A run that failed on a key it was given: its prompt and its last error carry the key.
    const entity = { ...runEntity(custom), id: 'leaky', name: 'leaky', status: 'failed', prompt: `use ${SECRETS.ANTHROPIC}`, lastError: `401 for ${SECRETS.ANTHROPIC} (${TICKET})` };
    journal.append({ type: 'agent.failed', key: 'run:leaky', entity });
    journal.dispose();
    const json = await runCli(h.stateDir, ['events', '--type', 'agent.failed', '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    noLeak(json.stdout, 'events --format json');
    const leaky = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; entity: { prompt: string; lastError: string } }).find((e) => e.key === 'run:leaky')!;
    assert.equal(leaky.entity.prompt, 'use <<REDACTED_ANTHROPIC_KEY_1>>');
    assert.equal(leaky.entity.lastError, '401 for <<REDACTED_ANTHROPIC_KEY_1>> (<<REDACTED_TICKET_1>>)', 'the same secret, the same placeholder; custom patterns of config.json too');
    const table = await runCli(h.stateDir, ['events', '--type', 'agent.failed']);
    assert.match(table.stdout, /leaky/);
    noLeak(table.stdout, 'events');
  });
});
