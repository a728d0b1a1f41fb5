/**
 * The HTTP API at /api/v1 over real loopback HTTP (node fetch), served by the same listener as
 * /mcp: the door (401 without or with a wrong token, 403 for a foreign Host or Origin, 413, 404
 * outside any mount), every route with its answer and its errors (each with a hint: 400, 404 for an
 * unknown id, 405, 409), real runs of the fake agent (a Claude one steered and interrupted live), a
 * real team, goals over git (one paused, resumed and cancelled while it works), a gate's breaker
 * opened by failures and reset, the OpenAPI document, and /metrics in the Prometheus text format.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../src/core/logger';
import { MAX_BODY_BYTES } from '../../src/http/loopbackListener';
import { McpService, type McpHttp } from '../../src/mcp/mcpService';
import { apiClient, rawRequest, type ApiCall } from '../support/apiClient';
import { doctorOf, runCli } from '../support/cliChild';
import { makeRepo } from '../support/gitRepo';
import { CLI, createHarness, fakeClaude, fakeCommand, ROOT, tempDir, until, type Harness } from '../support/harness';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const quiet: Logger = { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) };

interface ApiError {
  error: { code: string; message: string; hint?: string };
}

describe('HTTP API', function () {
  this.timeout(120_000);
  let h: Harness;
  let service: McpService;
  let served: McpHttp;
  let api: ApiCall;
  let workspace: string;

  before(async () => {
    h = await createHarness({ runners: { custom: { command: `'${process.execPath}' '${WORKER}' {prompt}` }, claude: { binary: fakeClaude(1500) } } });
    workspace = makeRepo({ 'README.md': '# project\n' });
    service = new McpService({ switchboard: h.switchboard, logger: quiet, doctor: () => doctorOf(h.stateDir), defaultCwd: () => workspace, guard: () => {} });
    served = await service.startHttp();
    api = apiClient(served.listener.origin, service.token());
  });
  after(async () => {
    h.switchboard.teams.dispose();
    await service.dispose();
    await h.cleanup();
  });

  /** Asserts an error answer: its status, code, a message matching, and a hint (what to do). */
  async function refused(reply: Promise<{ status: number; body: unknown }>, status: number, code: string, message?: RegExp): Promise<ApiError['error']> {
    const { status: got, body } = await reply;
    assert.equal(got, status, JSON.stringify(body));
    const error = (typeof body === 'string' ? JSON.parse(body) : body as ApiError).error;
    assert.equal(error.code, code, JSON.stringify(body));
    assert.ok(error.message.length > 10, 'says what was wrong');
    assert.ok((error.hint ?? '').length > 10, `says what to do: ${JSON.stringify(body)}`);
    if (message) assert.match(error.message, message);
    return error;
  }

  it('is served beside /mcp, at the address Doctor and mcp config show', () => {
    assert.equal(served.apiUrl, `${served.listener.origin}/api/v1`);
    assert.equal(served.url, `${served.listener.origin}/mcp`);
  });

  describe('the door', () => {
    it('refuses a missing or wrong token with 401, as JSON with a hint', async () => {
      const none = await rawRequest(served.port, { path: '/api/v1/status' });
      assert.equal(none.status, 401);
      const body = JSON.parse(none.body) as ApiError;
      assert.equal(body.error.code, 'unauthorized');
      assert.match(body.error.message, /A bearer token is required/);
      assert.match(body.error.hint!, /mcp\/token/);
      const wrong = await rawRequest(served.port, { path: '/api/v1/status', headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      assert.match(wrong.body, /The bearer token is wrong/);
      const metrics = await rawRequest(served.port, { path: '/metrics' });
      assert.equal(metrics.status, 401, '/metrics needs the token too');
    });

    it('refuses a foreign Origin or Host with 403, token or not', async () => {
      const auth = { authorization: `Bearer ${service.token()}` };
      assert.match((await refused(rawRequest(served.port, { path: '/api/v1/status', headers: { ...auth, origin: 'https://evil.example' } }), 403, 'forbidden')).hint!, /loopback/);
      await refused(rawRequest(served.port, { path: '/api/v1/status', headers: { ...auth, host: `evil.example:${served.port}` } }), 403, 'forbidden', /is not a loopback address/);
      const local = await rawRequest(served.port, { path: '/api/v1/status', headers: { ...auth, origin: 'http://localhost:3000' } });
      assert.equal(local.status, 200);
    });

    it('refuses a body over the limit with 413', async () => {
      const big = await rawRequest(served.port, { method: 'POST', path: '/api/v1/runs', headers: { authorization: `Bearer ${service.token()}`, 'content-type': 'application/json' }, body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20) });
      assert.equal(big.status, 413);
      const error = (JSON.parse(big.body) as ApiError).error;
      assert.equal(error.code, 'too_large');
      assert.match(error.hint!, /4 MiB/);
    });

    it('answers an unknown route with 404, a wrong method with 405, and a body that is not JSON with 400', async () => {
      const unknown = await refused(api('GET', '/nothing'), 404, 'not_found', /There is no route GET \/api\/v1\/nothing/);
      assert.match(unknown.hint!, /openapi\.json/);
      const wrong = api('DELETE', '/runs');
      assert.equal((await wrong).headers.get('allow'), 'GET, POST');
      assert.match((await refused(wrong, 405, 'method_not_allowed', /answers GET, POST, not DELETE/)).hint!, /Call GET \/api\/v1\/runs or POST \/api\/v1\/runs/);
      assert.match((await refused(api('POST', '/events'), 405, 'method_not_allowed')).hint!, /GET \/api\/v1\/events/);
      assert.match((await refused(apiClient(served.listener.origin, service.token(), '')('POST', '/metrics'), 405, 'method_not_allowed')).hint!, /GET \/metrics/);
      // Outside any mount, the listener's own 404.
      const auth = { authorization: `Bearer ${service.token()}` };
      assert.match((await refused(rawRequest(served.port, { path: '/nowhere', headers: auth }), 404, 'not_found', /MCP is at \/mcp, the HTTP API at \/api\/v1/)).hint!, /openapi\.json/);
      const hint = (await refused(api('POST', '/runs', '{"runner":'), 400, 'invalid_json', /not valid JSON/)).hint;
      assert.match(hint!, /JSON object/);
      const notAnObject = await refused(api('POST', '/runs/x/kill', '[1]'), 400, 'invalid_argument', /must be a JSON object/);
      assert.equal(notAnObject.hint, 'See POST /api/v1/runs/{id}/kill in /api/v1/openapi.json for the fields it takes.', 'the route as it is called');
      await refused(api('GET', '/runs/%'), 400, 'invalid_argument', /The path segment "%" is not valid percent-encoding/);
      await refused(api('GET', '/teams/%E0%A4%A/dag'), 400, 'invalid_argument', /not valid percent-encoding/);
    });
  });

  describe('system', () => {
    it('GET /health: the version `switchboard --version` prints, and checks of the state folder, the disk and each agent CLI', async () => {
      const { status, body } = await api<{ status: string; version: string; checks: { state_dir: { status: string; path: string }; disk: { status: string; free_bytes: number }; runners: Record<string, { status: string; installed: boolean }> } }>('GET', '/health');
      assert.equal(status, 200);
      assert.equal(body.version, execFileSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' }).trim());
      assert.ok(['ok', 'degraded'].includes(body.status), body.status);
      assert.deepEqual([body.checks.state_dir.status, body.checks.state_dir.path], ['ok', h.stateDir]);
      assert.ok(body.checks.disk.free_bytes > 0);
      for (const runner of ['claude', 'codex', 'gemini']) assert.ok(body.checks.runners[runner], runner);
    });

    it('GET /status, /cost, /pools and /metrics', async () => {
      const status = await api<{ version: string; uptime_seconds: number; runs: { running: number; queued: number }; teams: { active: number }; goals: { active: number }; spend_today_usd: number }>('GET', '/status');
      assert.equal(status.status, 200);
      assert.ok(status.body.uptime_seconds >= 0 && typeof status.body.spend_today_usd === 'number' && status.body.runs.queued >= 0);
      const cost = await api<{ total_usd: number; by_hour: unknown[]; by_runner: unknown[]; by_model: unknown[]; since: string }>('GET', '/cost');
      assert.equal(cost.status, 200);
      assert.ok(Array.isArray(cost.body.by_hour) && Array.isArray(cost.body.by_runner) && Array.isArray(cost.body.by_model));
      const pools = await api<{ pools: Record<string, unknown>[] }>('GET', '/pools');
      assert.equal(pools.status, 200);
      const pool = pools.body.pools.find((p) => p.name === 'default')!;
      for (const key of ['name', 'max_workers', 'max_disk_gb', 'active_tasks', 'queued_tasks', 'total_admitted', 'total_rejected']) assert.ok(key in pool, key);
      const metrics = await api<{ metrics: Record<string, number | string> }>('GET', '/metrics');
      assert.equal(metrics.status, 200);
      assert.ok(typeof metrics.body.metrics.total_runs === 'number' && typeof metrics.body.metrics.created_at === 'string');
      await refused(api('GET', '/status?verbose=1'), 400, 'invalid_argument', /unknown field `verbose`/);
    });
  });

  describe('runs', () => {
    it('POST /runs starts one (201); GET /runs, /runs/{id} and /runs/{id}/output?cursor= follow it', async () => {
      const started = await api<{ id: string; name: string; status: string }>('POST', '/runs', { runner: 'custom', prompt: 'hello', command: fakeCommand('--lines', '5'), name: 'api-one' });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = started.body.id;
      await until(() => h.registry.resolve(id).status === 'done', 20_000, 'the run to end');
      const list = await api<{ count: number; agents: { id: string }[] }>('GET', '/runs?status=done&limit=10');
      assert.ok(list.body.agents.some((a) => a.id === id));
      const one = await api<{ id: string; status: string; output_tail: string }>('GET', `/runs/${id}`);
      assert.deepEqual([one.status, one.body.id, one.body.status], [200, id, 'done']);
      const byName = await api<{ id: string }>('GET', '/runs/api-one?tail_lines=2');
      assert.equal(byName.body.id, id, 'a run is named by its id, its name or a prefix');
      const output = await api<{ events: { type: string; text?: string }[]; next_cursor: number; complete: boolean }>('GET', `/runs/${id}/output?cursor=0&limit=3`);
      assert.equal(output.status, 200);
      assert.equal(output.body.events.length, 3);
      const rest = await api<{ events: unknown[]; complete: boolean }>('GET', `/runs/${id}/output?cursor=${output.body.next_cursor}`);
      assert.equal(rest.body.complete, true);
    });

    it('steers and interrupts a live Claude run and kills it through POST /runs/{id}/steer|interrupt|kill (409 once it has ended); /status and /cost count it', async () => {
      const live = await api<{ id: string }>('POST', '/runs', { runner: 'claude', prompt: 'first task' });
      assert.equal(live.status, 201, JSON.stringify(live.body));
      const id = live.body.id;
      await until(() => h.registry.events(id).some((e) => e.type === 'text'), 60_000, 'the first text');
      const running = h.registry.briefs().filter((r) => r.status === 'running').length;
      const status = await api<{ runs: { running: number; queued: number; waiting_for_input: number; total: number }; teams: { active: number; total: number }; goals: { active: number; total: number } }>('GET', '/status');
      assert.deepEqual(status.body.runs, { running, queued: 0, waiting_for_input: 0, total: h.registry.briefs().length });
      assert.ok(running >= 1);
      assert.deepEqual(status.body.teams, { active: 0, total: h.switchboard.teams.list().length });
      assert.deepEqual(status.body.goals, { active: 0, total: h.switchboard.goals.list().length });
      const steer = await api<{ id: string; delivery: string }>('POST', `/runs/${id}/steer`, { message: 'do it differently' });
      assert.deepEqual([steer.status, steer.body.id, steer.body.delivery], [200, id, 'live'], JSON.stringify(steer.body));
      await until(() => h.registry.events(id).some((e) => e.type === 'text' && e.text === 'ack: do it differently'), 60_000, 'the steered turn');
      const interrupted = await api<{ delivered: string }>('POST', `/runs/${id}/interrupt`);
      assert.deepEqual([interrupted.status, interrupted.body.delivered], [200, 'protocol'], JSON.stringify(interrupted.body));
      const events = h.registry.events(id);
      assert.ok(events.some((e) => e.type === 'steer' && e.message === 'do it differently' && e.source.startsWith('api:')), 'the steer is recorded as coming from the API');
      assert.ok(events.some((e) => e.type === 'control' && e.action === 'interrupt' && e.source.startsWith('api:')));
      const killed = await api<{ killed: boolean; status: string }>('POST', `/runs/${id}/kill`, { force: true });
      assert.equal(killed.status, 200, JSON.stringify(killed.body));
      assert.equal(killed.body.killed, true);
      const again = await api<{ killed: boolean }>('POST', `/runs/${id}/kill`);
      assert.equal(again.body.killed, false, 'killing an ended run does nothing');
      await refused(api('POST', `/runs/${id}/steer`, { message: 'too late' }), 409, 'not_running');
      await refused(api('POST', `/runs/${id}/interrupt`), 409, 'not_running');
      // What it spent (the CLI reported it) is today's, and the last 24 hours', under its runner and model.
      const usd = h.registry.resolve(id).usage.usd!;
      assert.ok(usd > 0, 'the fake Claude reports a cost');
      const today = await api<{ spend_today_usd: number }>('GET', '/status');
      const spent = h.registry.briefs().map((r) => h.registry.resolve(r.id).usage.usd ?? 0).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(today.body.spend_today_usd - spent) < 1e-6, `${today.body.spend_today_usd} ≠ ${spent}`);
      const cost = await api<{ total_usd: number; by_hour: { key: string; usd: number }[]; by_runner: { key: string; usd: number; runs: number; input_tokens: number; output_tokens: number }[]; by_model: { key: string; usd: number }[] }>('GET', '/cost');
      assert.ok(Math.abs(cost.body.total_usd - spent) < 1e-6);
      const claude = cost.body.by_runner.find((r) => r.key === 'claude')!;
      const { inputTokens, outputTokens } = h.registry.resolve(id).usage;
      assert.deepEqual([claude.runs, claude.input_tokens, claude.output_tokens], [1, inputTokens, outputTokens]);
      assert.ok(Math.abs(claude.usd - usd) < 1e-6 && inputTokens > 0);
      assert.ok(Math.abs(cost.body.by_hour.reduce((a, r) => a + r.usd, 0) - spent) < 1e-6, 'the hours add up to the total');
      const started = Math.floor(h.registry.resolve(id).createdAt / 3_600_000) * 3_600_000;
      assert.ok(cost.body.by_hour.every((r) => Date.parse(r.key) >= started - 24 * 3_600_000 && Date.parse(r.key) <= Date.now()), 'hours of the last 24');
    });

    it('answers 400 with the fields named and a hint, and 404 for an unknown run', async () => {
      const invalid = await refused(api('POST', '/runs', {}), 400, 'invalid_argument', /`runner` is required.*`prompt` is required/);
      assert.match(invalid.hint!, /POST \/api\/v1\/runs in \/api\/v1\/openapi\.json/);
      await refused(api('POST', '/runs', { runner: 'custom', prompt: 'x', colour: 'red' }), 400, 'invalid_argument', /unknown field `colour`/);
      await refused(api('GET', '/runs?limit=lots'), 400, 'invalid_argument', /`limit` must be a number/);
      await refused(api('POST', '/runs', { runner: 'nobody', prompt: 'x' }), 400, 'invalid_argument', /runner/);
      for (const [method, route] of [['GET', '/runs/no-such-run'], ['GET', '/runs/no-such-run/output'], ['POST', '/runs/no-such-run/kill'], ['POST', '/runs/no-such-run/interrupt']]) {
        await refused(api(method!, route!), 404, 'unknown_run');
      }
      await refused(api('POST', '/runs/no-such-run/steer', {}), 400, 'invalid_argument', /`message` is required/);
    });
  });

  describe('teams', () => {
    it('POST /teams starts one (201); GET /teams in the shape team tools read, /teams/{name}, /dag, /merge-status; POST /shutdown', async () => {
      const started = await api<{ name: string; status: string }>('POST', '/teams', { spec: '1:executor:custom', task: 'build it', name: 'alpha', tasks: [{ title: 'one', description: 'discover: Nobody logs the 429s' }, { title: 'two', depends_on: ['T1'] }] });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.body.name, 'alpha');
      let status = '';
      await until(() => (void api<{ status: string }>('GET', '/teams/alpha').then((r) => (status = r.body.status)), status === 'done'), 60_000, 'the team to finish');
      const listed = await api<{ teams: Record<string, unknown>[] }>('GET', '/teams');
      const alpha = listed.body.teams.find((t) => t.name === 'alpha')!;
      for (const key of ['version', 'name', 'task', 'created_at', 'worker_count', 'worker_role', 'phase', 'tasks', 'state_dir']) assert.ok(key in alpha, key);
      assert.deepEqual([alpha.version, alpha.task, alpha.worker_count, alpha.phase, alpha.tasks], [1, 'build it', 1, 'done', { done: 2 }]);
      assert.equal(alpha.state_dir, path.join(h.stateDir, 'teams', 'alpha'));
      const dag = await api<{ nodes: unknown[]; edges: { from: string; to: string }[] }>('GET', '/teams/alpha/dag');
      assert.deepEqual(dag.body.edges, [{ from: 'T1', to: 'T2' }]);
      const merge = await api<{ base: string }>('GET', '/teams/alpha/merge-status');
      assert.equal(merge.status, 200);
      assert.equal(merge.body.base, 'main');
      const shut = await api<{ status: string }>('POST', '/teams/alpha/shutdown', { force: true });
      assert.deepEqual([shut.status, shut.body.status], [200, 'done'], 'an ended team is left as it is');
      for (const [method, route] of [['GET', '/teams/nope'], ['GET', '/teams/nope/dag'], ['GET', '/teams/nope/merge-status'], ['POST', '/teams/nope/shutdown']]) {
        await refused(api(method!, route!), 404, 'unknown_team');
      }
      await refused(api('POST', '/teams', { spec: '1:executor', task: 'x', cwd: 'relative' }), 400, 'invalid_argument', /`cwd`: must be an absolute path/);
    });
  });

  describe('goals, gates and discoveries', () => {
    const gate = { name: 'check', command: `'${process.execPath}' -e "process.exit(require('fs').existsSync('T1.txt')?0:1)"` };

    it('POST /goals creates one (201); GET /goals, /goals/{id} and its proof, replay, budget and diagnosis; pause, resume, extend, cancel', async () => {
      const created = await api<{ goal_id: string; status: string }>('POST', '/goals', { objective: 'T1 exists', runner: 'custom', tasks: [{ title: 'make T1' }], gates: [gate], budget_usd: 5 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.goal_id;
      const goal = await h.switchboard.goals.settled(id);
      assert.equal(goal.status, 'ready', goal.failure);
      const listed = await api<{ goals: { goal_id: string }[] }>('GET', '/goals');
      assert.ok(listed.body.goals.some((g) => g.goal_id === id));
      assert.equal((await api<{ status: string }>('GET', `/goals/${id}`)).body.status, 'ready');
      assert.equal((await api<{ status: string }>('GET', `/goals/${id}/proof`)).body.status, 'ready');
      const replay = await api<{ timeline: unknown[] }>('GET', `/goals/${id}/replay?last=3`);
      assert.equal(replay.body.timeline.length, 3);
      assert.equal((await api('GET', `/goals/${id}/budget`)).status, 200);
      assert.equal((await api<{ stagnant: boolean }>('GET', `/goals/${id}/diagnose`)).body.stagnant, false);
      assert.equal((await api('POST', `/goals/${id}/extend`, { usd: 1 })).status, 200);
      assert.equal((await api<{ status: string }>('POST', `/goals/${id}/pause`)).body.status, 'ready', 'an ended goal is left as it is');
      assert.match((await refused(api('POST', `/goals/${id}/resume`), 409, 'not_running', /has ended \(ready\)/)).hint!, /Create a new goal/);
      assert.equal((await api<{ status: string }>('POST', `/goals/${id}/cancel`)).body.status, 'ready');
      await refused(api('GET', '/goals/goal-20260101-abcdef'), 404, 'unknown_goal');
      await refused(api('POST', '/goals/goal-20260101-abcdef/pause'), 404, 'unknown_goal');
      await refused(api('GET', '/goals/not-a-goal/proof'), 400, 'invalid_argument', /goal id like goal-/);
      await refused(api('POST', '/goals', { objective: '' }), 400, 'invalid_argument', /`objective`/);
    });

    it('pauses, resumes and cancels a goal while it works (POST /goals/{id}/pause|resume|cancel); /status counts it', async () => {
      const release = path.join(tempDir('sb-api-release-'), 'go');
      const created = await api<{ goal_id: string }>('POST', '/goals', { objective: 'T1 exists, later', runner: 'custom', tasks: [{ title: 'make T1', description: `hold until ${release}` }], gates: [gate] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.goal_id;
      const liveRun = (): boolean => h.registry.briefs().some((r) => r.status === 'running' && r.links?.goal === id);
      await until(liveRun, 30_000, "the goal's agent at work");
      const status = await api<{ goals: { active: number }; teams: { active: number } }>('GET', '/status');
      assert.deepEqual([status.body.goals.active, status.body.teams.active], [1, 1], JSON.stringify(status.body));
      const paused = await api<{ status: string }>('POST', `/goals/${id}/pause`);
      assert.deepEqual([paused.status, paused.body.status], [200, 'paused'], JSON.stringify(paused.body));
      await until(() => !liveRun(), 20_000, "the paused goal's agent stopped");
      assert.equal((await api<{ status: string }>('GET', `/goals/${id}`)).body.status, 'paused');
      assert.equal((await api<{ goals: { active: number } }>('GET', '/status')).body.goals.active, 0, 'a paused goal is not at work');
      const resumed = await api<{ status: string }>('POST', `/goals/${id}/resume`);
      assert.deepEqual([resumed.status, resumed.body.status], [200, 'running'], JSON.stringify(resumed.body));
      await until(liveRun, 30_000, "the resumed goal's agent at work again");
      const cancelled = await api<{ status: string }>('POST', `/goals/${id}/cancel`);
      assert.deepEqual([cancelled.status, cancelled.body.status], [200, 'cancelled'], JSON.stringify(cancelled.body));
      await until(() => !liveRun(), 20_000, "the cancelled goal's agent stopped");
      assert.equal((await h.switchboard.goals.settled(id)).status, 'cancelled');
      await refused(api('POST', `/goals/${id}/resume`), 409, 'not_running', /has ended \(cancelled\)/);
      fs.writeFileSync(release, '');
    });

    it('GET /gates shows the breaker a failing gate opened; POST /gates/reset closes it; GET /discoveries', async () => {
      // Five failures in a row open a gate's breaker; the sixth run fails at once without running.
      for (let i = 0; i < 6; i++) assert.equal((await runCli(h.stateDir, ['gates', 'run', '--gate', 'lint=false', '--cwd', workspace])).code, 1);
      type Breaker = { gate_name: string; state: string; failure_count: number; last_failure_at: string | null };
      const gates = await api<{ breakers: Breaker[] }>('GET', `/gates?workspace=${encodeURIComponent(workspace)}`);
      assert.equal(gates.status, 200);
      const lint = gates.body.breakers.find((b) => b.gate_name === 'lint')!;
      assert.deepEqual([lint.state, lint.failure_count], ['Open', 5], JSON.stringify(gates.body));
      assert.ok(Date.now() - Date.parse(lint.last_failure_at!) < 60_000);
      const reset = await api<{ reset: string[]; breakers: Breaker[] }>('POST', '/gates/reset', { workspace, gate: 'lint' });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      assert.deepEqual(reset.body.reset, ['lint']);
      assert.deepEqual([reset.body.breakers.find((b) => b.gate_name === 'lint')!.state, reset.body.breakers.find((b) => b.gate_name === 'lint')!.failure_count], ['Closed', 0]);
      assert.equal((await api<{ breakers: Breaker[] }>('GET', `/gates?workspace=${encodeURIComponent(workspace)}`)).body.breakers.find((b) => b.gate_name === 'lint')!.state, 'Closed');
      await refused(api('GET', '/gates?workspace=relative'), 400, 'invalid_argument', /absolute path/);
      await refused(api('POST', '/gates/reset', { workspace }), 400, 'invalid_argument', /Give `gate` \(its name\) or `all: true`/);
      const found = await api<{ count: number; discoveries: { id: string; title: string; team: string; source_task_id: string; status: string }[] }>('GET', '/discoveries?status=pending');
      assert.equal(found.status, 200);
      assert.equal(found.body.count, found.body.discoveries.length);
      // What team alpha's agent reported (its task said to) while doing T1.
      const alpha = await api<{ count: number; discoveries: { id: string; title: string; team: string; source_task_id: string; status: string }[] }>('GET', '/discoveries?team=alpha');
      assert.deepEqual(alpha.body.discoveries.map((d) => [d.id, d.title, d.team, d.source_task_id, d.status]), [['DSC-001', 'Nobody logs the 429s', 'alpha', 'T1', 'pending']]);
      assert.ok(found.body.discoveries.some((d) => d.title === 'Nobody logs the 429s'));
      await refused(api('GET', '/discoveries?status=sideways'), 400, 'invalid_argument', /`status`/);
      await refused(api('GET', '/discoveries?team=nope'), 404, 'unknown_team');
    });
  });

  describe('its description, and scraping', () => {
    it('describes every route in /api/v1/openapi.json, from the operations\' schemas', async () => {
      const { status, body } = await api<{ openapi: string; info: { version: string }; paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string }[]; requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } }; responses: Record<string, unknown> }>> }>('GET', '/openapi.json');
      assert.equal(status, 200);
      assert.equal(body.openapi, '3.1.0');
      const routes = Object.entries(body.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
      for (const route of ['GET /health', 'GET /status', 'GET /runs', 'POST /runs', 'GET /runs/{id}', 'GET /runs/{id}/output', 'POST /runs/{id}/steer', 'POST /runs/{id}/interrupt', 'POST /runs/{id}/kill', 'GET /teams', 'POST /teams', 'GET /teams/{name}', 'GET /teams/{name}/dag', 'GET /teams/{name}/merge-status', 'POST /teams/{name}/shutdown', 'GET /goals', 'POST /goals', 'GET /goals/{id}', 'GET /goals/{id}/proof', 'GET /goals/{id}/replay', 'GET /goals/{id}/budget', 'GET /goals/{id}/diagnose', 'POST /goals/{id}/pause', 'POST /goals/{id}/resume', 'POST /goals/{id}/cancel', 'POST /goals/{id}/extend', 'GET /gates', 'POST /gates/reset', 'GET /discoveries', 'GET /pools', 'GET /cost', 'GET /metrics', 'GET /events', 'GET /openapi.json']) {
        assert.ok(routes.includes(route), route);
      }
      const post = body.paths['/runs']!.post!;
      assert.equal(post.operationId, 'run_agent');
      assert.ok(post.requestBody!.content['application/json'].schema.properties.prompt, 'the body schema is run_agent\'s input');
      assert.ok(post.responses['201'] && post.responses['400'] && post.responses['401']);
      const output = body.paths['/runs/{id}/output']!.get!;
      assert.deepEqual(output.parameters.map((p) => `${p.in}:${p.name}`), ['path:id', 'query:cursor', 'query:limit']);
      assert.ok(body.paths['/runs/{id}']!.get!.responses['404']);
    });

    it('serves /metrics in the Prometheus text format, which parses', async () => {
      const res = await apiClient(served.listener.origin, service.token(), '')<string>('GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      const text = res.body;
      const typed = new Map<string, string>();
      const samples = new Map<string, number>();
      for (const line of text.trimEnd().split('\n')) {
        const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
        if (type) typed.set(type[1]!, type[2]!);
        else if (line.startsWith('# HELP ')) assert.match(line, /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S/);
        else {
          const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
          assert.ok(sample, `a sample line: ${line}`);
          assert.ok(typed.has(sample[1]!), `${sample[1]} has a TYPE line before it`);
          samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[4]));
        }
      }
      assert.equal(typed.get('switchboard_runs_total'), 'counter');
      assert.ok(samples.get('switchboard_runs_total')! >= 2, 'the runs started above are counted');
      assert.ok(samples.get('switchboard_team_runs_total')! >= 1 && samples.get('switchboard_spawns_total') === samples.get('switchboard_team_runs_total'));
      assert.ok(samples.get('switchboard_api_calls_total')! >= 10 && samples.get('switchboard_api_errors_total')! >= 5);
      assert.ok(samples.has('switchboard_runs{status="done"}'));
      for (const counted of ['goal_runs', 'goal_iterations', 'gate_runs', 'tasks_created', 'tasks_completed', 'kills']) assert.ok(samples.get(`switchboard_${counted}_total`)! >= 1, counted);
      assert.ok(samples.get('switchboard_input_tokens_total')! >= 0 && samples.get('switchboard_tokens_total') === samples.get('switchboard_input_tokens_total')! + samples.get('switchboard_output_tokens_total')!);
    });
  });
});
