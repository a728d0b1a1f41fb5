/** What each runner is started with when it gets Switchboard's MCP server or asks the host about tool calls. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mergeConfig } from '../../src/core/config';
import { MCP_TOKEN_ENV, prepareStart } from '../../src/core/registry/launch';
import { RUN_ID_ENV } from '../../src/core/runs/runMarker';
import { getRunner } from '../../src/core/runners/runnerTable';
import type { StartRequest } from '../../src/core/runners/types';

const request = (more: Partial<StartRequest> = {}): StartRequest => ({ prompt: 'p', cwd: '/', settings: { binary: 'x', extraArgs: [] }, ...more });
const mcp = { url: 'http://127.0.0.1:4321/mcp', tokenEnv: MCP_TOKEN_ENV };

describe('runner command lines', () => {
  it('Claude Code gets the server as --mcp-config with the token as ${VAR}, and its tools allowed', () => {
    const { args } = getRunner('claude').build(request({ mcp }));
    const config = JSON.parse(args[args.indexOf('--mcp-config') + 1]!);
    assert.deepEqual(config, { mcpServers: { switchboard: { type: 'http', url: mcp.url, headers: { Authorization: 'Bearer ${SWITCHBOARD_MCP_TOKEN}' } } } });
    assert.equal(args[args.indexOf('--allowedTools') + 1], 'mcp__switchboard');
  });

  it('Codex gets it as -c mcp_servers.switchboard.* with the token in a named variable', () => {
    const { args } = getRunner('codex').build(request({ mcp }));
    assert.deepEqual(args.filter((_, i) => args[i - 1] === '-c'), ['mcp_servers.switchboard.url="http://127.0.0.1:4321/mcp"', 'mcp_servers.switchboard.bearer_token_env_var="SWITCHBOARD_MCP_TOKEN"']);
  });

  it("the run's id goes with every call as the X-Switchboard-Run header, from the environment (Claude Code, Codex)", () => {
    const withRun = { ...mcp, runEnv: RUN_ID_ENV };
    const claude = getRunner('claude').build(request({ mcp: withRun })).args;
    assert.deepEqual(JSON.parse(claude[claude.indexOf('--mcp-config') + 1]!).mcpServers.switchboard.headers, { Authorization: 'Bearer ${SWITCHBOARD_MCP_TOKEN}', 'X-Switchboard-Run': '${SWITCHBOARD_RUN_ID}' });
    const codex = getRunner('codex').build(request({ mcp: withRun })).args;
    assert.equal(codex.filter((_, i) => codex[i - 1] === '-c')[2], 'mcp_servers.switchboard.env_http_headers={ "X-Switchboard-Run" = "SWITCHBOARD_RUN_ID" }');
    const config = mergeConfig({ runners: { claude: { binary: process.execPath } } });
    assert.deepEqual(prepareStart({ runner: 'claude', prompt: 'p', cwd: '/', mcp: { url: mcp.url, token: 't' } }, { config, env: process.env }).request.mcp, withRun);
  });

  it('Qwen Code gets it in a system settings file that names the variables (it expands them), with its tools allowed and the token in argv nowhere', () => {
    const withRun = { ...mcp, runEnv: RUN_ID_ENV };
    const { args, env } = getRunner('qwen').build(request({ mcp: withRun, settings: { binary: 'x', extraArgs: ['--debug'], maxRetries: 2 } }));
    const file = env.QWEN_CODE_SYSTEM_SETTINGS_PATH!;
    try {
      const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(settings.mcpServers.switchboard, { httpUrl: mcp.url, headers: { Authorization: 'Bearer ${SWITCHBOARD_MCP_TOKEN}', 'X-Switchboard-Run': '${SWITCHBOARD_RUN_ID}' } });
      assert.equal(settings.model.generationConfig.maxRetries, 2, 'the retry cap beside it');
      assert.equal(fs.statSync(file).mode & 0o077, 0, 'owner-only');
    } finally {
      fs.rmSync(file, { force: true });
    }
    assert.deepEqual(args.slice(-3), ['--allowed-tools', 'mcp__switchboard', '--debug'], 'its tools allowed, before the settings\' own arguments');
    assert.ok(!args.join(' ').includes('4321') && !args.includes('--mcp-config'), 'nothing of the server on the command line');
    const none = getRunner('qwen').build(request());
    assert.deepEqual([none.env, none.args.includes('--allowed-tools')], [{}, false], 'no server, no settings file and no allowance');
  });

  it('Gemini CLI\'s one-shot JSON and custom commands take no MCP server on the command line', () => {
    for (const id of ['gemini', 'custom']) {
      assert.equal(getRunner(id).takesMcpServer, false, id);
      const built = getRunner(id).build(request({ mcp, commandTemplate: 'agent {prompt}' }));
      assert.ok(!built.args.join(' ').includes('4321'), id);
    }
  });

  it('Claude Code with host approvals adds --permission-prompt-tool stdio and sends initialize before the prompt', () => {
    const { args, initialInput } = getRunner('claude').build(request({ hostApprovals: true }));
    assert.equal(args[args.indexOf('--permission-prompt-tool') + 1], 'stdio');
    assert.deepEqual(initialInput.map((l) => JSON.parse(l).type), ['control_request', 'user']);
    assert.ok(!getRunner('claude').build(request()).args.includes('--permission-prompt-tool'));
  });

  it('the token reaches the agent in its environment only when its runner takes the server, never in argv', () => {
    // Gemini CLI's one-shot JSON takes none (over ACP it does: see acpMcp.test.ts).
    const config = mergeConfig({ runners: { claude: { binary: process.execPath }, gemini: { binary: process.execPath, protocol: 'json' } } });
    const claude = prepareStart({ runner: 'claude', prompt: 'p', cwd: '/', mcp: { url: mcp.url, token: 'secret-token-value' } }, { config, env: process.env });
    assert.equal(claude.spec.env[MCP_TOKEN_ENV], 'secret-token-value');
    assert.ok(!claude.spec.args.join(' ').includes('secret-token-value'));
    const gemini = prepareStart({ runner: 'gemini', prompt: 'p', cwd: '/', mcp: { url: mcp.url, token: 'secret-token-value' } }, { config, env: process.env });
    assert.equal(gemini.spec.env[MCP_TOKEN_ENV], undefined);
    const qwen = prepareStart({ runner: 'qwen', prompt: 'p', cwd: '/', mcp: { url: mcp.url, token: 'secret-token-value' } }, { config: mergeConfig({ runners: { qwen: { binary: process.execPath } } }), env: process.env });
    const settingsFile = qwen.spec.env.QWEN_CODE_SYSTEM_SETTINGS_PATH!;
    try {
      assert.equal(qwen.spec.env[MCP_TOKEN_ENV], 'secret-token-value');
      assert.ok(!qwen.spec.args.join(' ').includes('secret-token-value'));
      assert.ok(!fs.readFileSync(settingsFile, 'utf8').includes('secret-token-value'), 'nor in its settings file');
    } finally {
      fs.rmSync(settingsFile, { force: true });
    }
  });
});
