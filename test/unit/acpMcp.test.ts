/** Switchboard's MCP server in an ACP session (src/core/runners/acpMcp.ts): what session/new, load and resume carry per capability, and where the token is not. */
import * as assert from 'node:assert/strict';
import { mergeConfig } from '../../src/core/config';
import { MCP_TOKEN_ENV, prepareStart, startRunner } from '../../src/core/registry/launch';
import { RUN_ID_ENV } from '../../src/core/runs/runMarker';
import { createAcpConversation } from '../../src/core/runners/acp';
import type { AgentMcpAccess, StartRequest } from '../../src/core/runners/types';
import { RunOutcome } from '../../src/core/supervisor/runOutcome';
import { redactorFor } from '../../src/core/redact';
import { StateMap } from '../../src/core/state/stateMap';

const TOKEN = 'tok_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
const access: AgentMcpAccess = { url: 'http://127.0.0.1:4321/mcp', tokenEnv: MCP_TOKEN_ENV, runEnv: RUN_ID_ENV };
const env = { [MCP_TOKEN_ENV]: TOKEN, [RUN_ID_ENV]: 'r7' };
const request = (more: Partial<StartRequest> = {}): StartRequest => ({ prompt: 'p', cwd: '/w', settings: { binary: 'x', extraArgs: [] }, mcp: access, ...more });
const init = (capabilities: Record<string, unknown>): string => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { protocolVersion: 1, agentCapabilities: capabilities } });
const HTTP = { mcpCapabilities: { http: true, sse: true } };

/** The first request the conversation sends after `initialize`, and the events it told. */
function opening(capabilities: Record<string, unknown>, more: Partial<StartRequest> = {}): { method: string; params: Record<string, unknown>; line: string; events: unknown[] } {
  const read = createAcpConversation({ request: request(more), permissions: 'deny', env }).read(init(capabilities))!;
  const line = read.replies[0]!;
  const { method, params } = JSON.parse(line) as { method: string; params: Record<string, unknown> };
  return { method, params, line, events: read.events };
}

const SERVER = { type: 'http', name: 'switchboard', url: access.url, headers: [{ name: 'Authorization', value: `Bearer ${TOKEN}` }, { name: 'X-Switchboard-Run', value: 'r7' }] };

describe('Switchboard\'s MCP server over ACP', () => {
  it('is an HTTP server in session/new, its headers the bearer token and the calling run, where the agent takes HTTP', () => {
    const { method, params, events } = opening(HTTP);
    assert.equal(method, 'session/new');
    assert.deepEqual(params.mcpServers, [SERVER]);
    assert.deepEqual(events, []);
  });

  it('goes with session/resume and session/load too', () => {
    assert.deepEqual(opening({ ...HTTP, sessionCapabilities: { resume: {} } }, { resumeSessionId: 'S0' }).params, { sessionId: 'S0', cwd: '/w', mcpServers: [SERVER] });
    const loaded = opening({ ...HTTP, loadSession: true }, { resumeSessionId: 'S0' });
    assert.deepEqual([loaded.method, loaded.params.mcpServers], ['session/load', [SERVER]]);
  });

  it('is left out, saying why, where the agent takes no HTTP server; and not given to a run that has no access', () => {
    const without = opening({ mcpCapabilities: { http: false, sse: true } });
    assert.deepEqual(without.params.mcpServers, []);
    assert.ok(!without.line.includes(TOKEN));
    assert.deepEqual(without.events, [{ type: 'error', message: "Switchboard's MCP server is not given to this agent: its ACP takes no HTTP MCP servers (its initialize answer has no mcpCapabilities.http)." }]);
    assert.deepEqual(opening({}).params.mcpServers, [], 'no capabilities at all');
    const noAccess = opening(HTTP, { mcp: undefined });
    assert.deepEqual([noAccess.params.mcpServers, noAccess.events], [[], []]);
    const noToken = createAcpConversation({ request: request(), permissions: 'deny', env: {} }).read(init(HTTP))!;
    assert.match(JSON.stringify(noToken.events), /the token is not in the environment \(SWITCHBOARD_MCP_TOKEN\)/);
  });

  it('the ACP runners take it; the plan names the variables, the token is only in the agent\'s environment', () => {
    const config = mergeConfig({ runners: { gemini: { binary: process.execPath }, opencode: { binary: process.execPath, protocol: 'acp' } } });
    assert.equal(startRunner({ runner: 'gemini' }, config).runner.takesMcpServer, true, 'Gemini CLI speaks ACP by default');
    assert.equal(startRunner({ runner: 'opencode' }, config).runner.takesMcpServer, true);
    assert.equal(startRunner({ runner: 'opencode' }, mergeConfig({})).runner.takesMcpServer, false, 'opencode\'s one-shot JSON does not');
    const prepared = prepareStart({ runner: 'gemini', prompt: 'p', cwd: '/', mcp: { url: access.url, token: TOKEN } }, { config, env: {} });
    assert.deepEqual(prepared.request.mcp, access);
    assert.ok(!JSON.stringify(prepared.request).includes(TOKEN), 'the request (the plan\'s) holds no token');
    assert.ok(!prepared.spec.args.join(' ').includes(TOKEN));
    assert.deepEqual(prepared.spec.args.slice(-2), ['--allowed-tools', 'mcp_switchboard_*'], 'Gemini CLI runs Switchboard\'s tools without asking');
    assert.equal(prepared.spec.env[MCP_TOKEN_ENV], TOKEN);
  });

  it('an agent retired after its last turn ended done whatever it died of; one whose last turn failed, failed', () => {
    const outcome = new RunOutcome(new StateMap('/nonexistent').run('r1'), redactorFor(undefined, {}, undefined));
    outcome.lastResultOk = true;
    assert.equal(outcome.status({ signal: 'SIGTERM' }), 'failed', 'not retired: a signal is a failure');
    outcome.retired = true;
    assert.equal(outcome.status({ signal: 'SIGTERM' }), 'done');
    assert.equal(outcome.status({ exitCode: 130 }), 'done');
    outcome.lastResultOk = false;
    assert.equal(outcome.status({ exitCode: 0 }), 'failed');
  });
});
