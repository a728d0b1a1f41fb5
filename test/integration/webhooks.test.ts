/**
 * Webhooks for real: a receiver on loopback that checks each signature and counts deliveries by
 * their idempotency key; real runs whose ends go out as deliveries; deliverers in this process and
 * in `switchboard webhooks deliver` children over the same state folder; a deliverer killed with
 * deliveries queued and another that sends them after; processes with different webhooks; a team,
 * goals (ready, not ready, out of time budget) and a discovery told to a receiver as they happen;
 * and the `webhooks log` and `test` commands.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { webhookWithDefaults } from '../../src/core/config';
import type { Switchboard } from '../../src/core/switchboard';
import { WebhookDeliverer } from '../../src/core/webhooks/webhookDeliverer';
import { webhookKey } from '../../src/core/webhooks/webhookEvents';
import { WebhookQueue } from '../../src/core/webhooks/webhookQueue';
import { runCli } from '../support/cliChild';
import { makeRepo } from '../support/gitRepo';
import { Receiver } from '../support/webhookReceiver';
import { CLI, createHarness, fakeCommand, ROOT, tempDir, until, type Harness } from '../support/harness';

const SECRET = 'whsec-test-0123456789';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** `switchboard webhooks deliver` over the state folder, as another process. */
function delivererChild(stateDir: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'webhooks', 'deliver'], { env: { ...process.env, SWITCHBOARD_HOME: stateDir }, stdio: 'ignore' });
}

const exited = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve())));

async function runAgents(sb: Switchboard, work: string, exits: number[]): Promise<string[]> {
  // What a failing one prints last is its error, which the delivery carries: with a secret in it.
  const runs = await Promise.all(exits.map((code, i) => sb.runs.run({ runner: 'custom', prompt: `job ${i} with ${AWS_KEY}`, cwd: work, command: fakeCommand('--exit', String(code)) })));
  await Promise.all(runs.map((r) => sb.runs.wait(r.id, 20_000)));
  return runs.map((r) => r.id);
}

describe('webhooks', function () {
  this.timeout(90_000);
  let h: Harness;
  let receiver: Receiver;
  let work: string;
  const children: ChildProcess[] = [];
  const deliverers: WebhookDeliverer[] = [];

  beforeEach(async () => {
    receiver = await new Receiver(SECRET).start();
    const webhooks = [webhookWithDefaults({ url: receiver.url, secret: SECRET, events: ['agent.completed', 'agent.failed'] })];
    h = await createHarness({ webhooks });
    // The children read config.json; this process was given the same.
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ version: 1, webhooks }));
    work = tempDir('sb-webhooks-work-');
  });
  afterEach(async () => {
    for (const d of deliverers.splice(0)) d.dispose();
    for (const c of children.splice(0)) {
      c.kill('SIGTERM');
      await exited(c);
    }
    await h.cleanup();
    await receiver.close();
  });

  const deliverer = (sb: Switchboard): WebhookDeliverer => {
    const d = new WebhookDeliverer(sb.state, sb.feed, () => sb.config, 'test', { retryBaseMs: 100 });
    deliverers.push(d);
    return d;
  };

  it('delivers each run end once, signed, through two failed attempts', async () => {
    receiver.failures = 2;
    deliverer(h.switchboard);
    const [done, failed] = await runAgents(h.switchboard, work, [0, 1]);
    const queue = new WebhookQueue(h.switchboard.state);
    // Accepted, and the answers recorded (a moment after the receiver has answered).
    await until(() => receiver.accepted().size === 2 && queue.all().length === 0, 20_000, 'both deliveries accepted');
    const accepted = [...receiver.accepted().values()];
    assert.deepEqual(accepted.map((r) => [r.event, r.body.subject?.id, r.body.subject?.key]).sort(), [['agent.completed', done, `run:${done}`], ['agent.failed', failed, `run:${failed}`]].sort());
    for (const r of accepted) assert.equal(r.body.id, r.id, 'the body carries the idempotency key');
    const failure = accepted.find((r) => r.event === 'agent.failed')!;
    assert.equal(failure.body.subject?.lastError, 'the agent exited with code 1: job 1 with <<REDACTED_AWS_KEY_1>>');
    assert.ok(!receiver.requests.some((r) => JSON.stringify(r.body).includes(AWS_KEY)), 'no delivery carries the secret');
    assert.ok(receiver.requests.every((r) => r.signed), 'every attempt is signed with the secret');
    for (const { id } of accepted) assert.deepEqual(receiver.requests.filter((r) => r.id === id).map((r) => r.status), [500, 500, 200]);
    const log = queue.readLog();
    for (const { id } of accepted) assert.deepEqual(log.filter((e) => e.id === id).map((e) => [e.attempt, e.outcome]), [[1, 'retrying'], [2, 'retrying'], [3, 'delivered']]);
    const listed = await runCli(h.stateDir, ['webhooks', 'log', '--format', 'json']);
    const rows = (JSON.parse(listed.stdout) as { deliveries: { id: string; attempts: number; outcome: string }[] }).deliveries;
    assert.deepEqual(rows.map((r) => [r.attempts, r.outcome]), [[3, 'delivered'], [3, 'delivered']]);
    assert.equal(JSON.parse((await runCli(h.stateDir, ['webhooks', 'log', '--failed', '--format', 'json'])).stdout).deliveries.length, 0);
  });

  it('is delivered by exactly one of several processes sharing the state folder', async () => {
    children.push(delivererChild(h.stateDir), delivererChild(h.stateDir));
    const other = await h.openSwitchboard();
    deliverer(h.switchboard);
    deliverer(other);
    const ids = await runAgents(h.switchboard, work, [0, 0, 1, 0]);
    await until(() => receiver.accepted().size === 4, 20_000, 'four deliveries');
    // Time for a second deliverer to send any of them again, were it to.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(receiver.requests.length, 4, `each once: ${receiver.requests.map((r) => r.id).join(' ')}`);
    assert.deepEqual([...receiver.accepted().values()].map((r) => r.body.subject?.id).sort(), [...ids].sort());
  });

  it('delivers the webhooks of every process when their configs differ (a window\'s settings, config.json)', async () => {
    // The headless process knows only config.json's webhook; this process (a window) only its settings' one.
    const other = await new Receiver(SECRET).start();
    try {
      const fromFile = webhookWithDefaults({ url: other.url, secret: SECRET, events: ['agent.completed', 'agent.failed'] });
      fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ version: 1, webhooks: [fromFile] }));
      const child = delivererChild(h.stateDir);
      children.push(child);
      const childLease = h.switchboard.state.webhook(webhookKey(fromFile)).lease;
      await until(() => fs.existsSync(childLease), 15_000, 'the child holds the lease of its webhook');
      const window = await h.openSwitchboard({ webhooks: [webhookWithDefaults({ url: receiver.url, secret: SECRET, events: ['agent.completed', 'agent.failed'] })] });
      deliverer(window);
      // Both have started delivering (each has its webhook's cursor) before anything happens.
      await until(() => fs.existsSync(window.state.webhook(webhookKey({ url: receiver.url, format: 'json' })).cursor), 15_000, 'the window delivers its webhook');
      const ids = await runAgents(h.switchboard, work, [0, 1, 0]);
      await until(() => receiver.accepted().size === 3 && other.accepted().size === 3, 20_000, 'each webhook is told of the three runs');
      await new Promise((r) => setTimeout(r, 1000));
      for (const r of [receiver, other]) {
        assert.deepEqual([...r.accepted().values()].map((d) => d.body.subject?.id).sort(), [...ids].sort());
        assert.equal(r.requests.length, 3, 'each delivery once');
        assert.ok(r.requests.every((d) => d.signed));
      }
      const log = new WebhookQueue(h.switchboard.state).readLog();
      assert.deepEqual(log.filter((e) => e.outcome !== 'delivered'), [], 'nothing dropped, nothing retried');
      assert.equal(new WebhookQueue(h.switchboard.state).all().length, 0);
    } finally {
      await other.close();
    }
  });

  it('tells a receiver of tasks done and failed, a discovery, goals ready and not, and a time budget nearly and wholly spent', async () => {
    // The team's agent: the git worker, which fails a task whose title says so.
    const agent = path.join(tempDir('sb-webhooks-agent-'), 'agent.sh');
    fs.writeFileSync(agent, `#!/bin/sh\ncase "$*" in *"please fail"*) echo "cannot"; exit 1;; esac\nexec "${process.execPath}" "${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}" "$@"\n`, { mode: 0o755 });
    const all = webhookWithDefaults({ url: receiver.url, secret: SECRET });
    const e2e = await createHarness({ webhooks: [all], runners: { custom: { command: `'${agent}' {prompt}` } }, teams: { roles: {}, copyFiles: [], maxAttempts: 1 } });
    const never = path.join(tempDir('sb-webhooks-never-'), 'never');
    try {
      const sb = e2e.switchboard;
      deliverer(sb);
      await sb.teams.run({ name: 'alpha', spec: '1:executor:custom', task: 'Harden the API', workspace: makeRepo(), tasks: [{ id: 'T1', title: 'Look around', description: 'discover: Nobody logs the 429s' }, { id: 'T2', title: 'please fail' }] });
      const ok = { name: 'ok', command: 'true' };
      const ready = await sb.goals.create({ objective: 'T1 exists', workspace: makeRepo(), tasks: [{ title: 'make T1' }], runner: 'custom', gates: [ok] });
      const notReady = await sb.goals.create({ objective: 'the impossible', workspace: makeRepo(), tasks: [{ title: 'try' }], runner: 'custom', gates: [{ name: 'unit', command: 'false' }], maxIterations: 1 });
      const slow = await sb.goals.create({ objective: 'slow work', workspace: makeRepo(), tasks: [{ title: 'a long task', description: `hold until ${never}` }], runner: 'custom', gates: [ok], budgetTime: '3s', maxAgents: 1 });
      const told = (event: string, key: string): boolean => [...receiver.accepted().values()].some((r) => r.event === event && r.body.subject?.key === key);
      const expected: [string, string][] = [
        ['task.completed', 'task:alpha/T1'], ['task.failed', 'task:alpha/T2'],
        ['goal.ready', `goal:${ready.id}`], ['goal.not_ready', `goal:${notReady.id}`],
        ['budget.warning', `goal:${slow.id}`], ['budget.exhausted', `goal:${slow.id}`],
      ];
      await until(() => expected.every(([event, key]) => told(event, key)) && [...receiver.accepted().values()].some((r) => r.event === 'discovery.created'), 90_000, `every event told: ${JSON.stringify([...receiver.accepted().values()].map((r) => [r.event, r.body.subject?.key]))}`);
      const discovery = [...receiver.accepted().values()].find((r) => r.event === 'discovery.created')!;
      assert.match(JSON.stringify(discovery.body), /Nobody logs the 429s/);
      assert.ok(receiver.requests.every((r) => r.signed));
      // Each event once, by its idempotency key.
      assert.equal(new Set(receiver.requests.map((r) => r.id)).size, receiver.requests.length);
    } finally {
      fs.writeFileSync(never, '');
      e2e.switchboard.teams.dispose();
      await e2e.cleanup();
    }
  });

  it('leaves a delivery of a webhook it does not have to the process that has it; gives it up only when none has, past the give-up time', async () => {
    const queue = new WebhookQueue(h.switchboard.state);
    const foreign = { version: 1 as const, url: 'http://127.0.0.1:9/elsewhere', format: 'json' as const, event: 'agent.completed' as const, body: '{}', attempts: 0, nextAt: 0 };
    queue.put({ ...foreign, id: 'fresh', createdAt: Date.now() });
    queue.put({ ...foreign, id: 'stale', createdAt: Date.now() - 2 * 60 * 60_000 });
    const d = deliverer(h.switchboard);
    await d.wake();
    await d.idle();
    assert.deepEqual(queue.all().map((q) => q.id), ['fresh'], 'the fresh one waits for its webhook');
    assert.deepEqual(queue.readLog().map((e) => [e.id, e.outcome, e.error]), [['stale', 'gave_up', 'no running Switchboard has this webhook configured']]);
  });

  it('keeps queued deliveries across a deliverer killed outright, and another sends them', async () => {
    receiver.failures = 1000;
    const first = delivererChild(h.stateDir);
    children.push(first);
    const lease = h.switchboard.state.webhook(webhookKey({ url: receiver.url, format: 'json' })).lease;
    await until(() => fs.existsSync(lease) && (JSON.parse(fs.readFileSync(lease, 'utf8')) as { holder: { pid: number } }).holder.pid === first.pid, 15_000, 'the child holds the lease');
    const [id] = await runAgents(h.switchboard, work, [0]);
    const queue = new WebhookQueue(h.switchboard.state);
    await until(() => queue.all()[0]?.attempts === 1, 15_000, 'a first, failed attempt, recorded');
    first.kill('SIGKILL');
    await exited(first);
    const queued = queue.all();
    assert.equal(queued.length, 1, 'the delivery waits on disk');
    assert.equal(queued[0]!.attempts, 1);
    receiver.failures = 0;
    // A new process (this one) takes the dead holder's lease and sends what waits, when it is due.
    deliverer(await h.openSwitchboard());
    await until(() => receiver.accepted().size === 1 && queue.all().length === 0, 20_000, 'delivered after the restart, and so recorded');
    assert.equal(receiver.accepted().values().next().value!.body.subject?.id, id);
    assert.equal(receiver.accepted().values().next().value!.id, queued[0]!.id, 'the same idempotency key');
  });

  it('delivers what happened while no deliverer ran, at the next one (`webhooks deliver --once` at the end of a CI job)', async () => {
    const [id] = await runAgents(h.switchboard, work, [0]);
    assert.equal(receiver.requests.length, 0);
    const once = await runCli(h.stateDir, ['webhooks', 'deliver', '--once']);
    assert.equal(once.code, 0, once.stderr);
    assert.equal(once.stdout.trim(), 'nothing left to deliver');
    assert.deepEqual(receiver.requests.map((r) => [r.event, r.body.subject?.id, r.status]), [['agent.completed', id, 200]]);
    // Delivered once: the cursor moved past it.
    await runCli(h.stateDir, ['webhooks', 'deliver', '--once']);
    assert.equal(receiver.requests.length, 1);
  });

  it('sends a test delivery to an address (`webhooks test`), signed as configured', async () => {
    const ok = await runCli(h.stateDir, ['webhooks', 'test', receiver.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^delivered to http:\/\/127\.0\.0\.1:\d+\/hooks: HTTP 200 in \d+ ms \(json, signed; id test-/);
    assert.deepEqual(receiver.requests.map((r) => [r.event, r.signed, r.body.event]), [['ping', true, 'ping']]);
    const slack = await runCli(h.stateDir, ['webhooks', 'test', receiver.url, '--payload', 'slack']);
    assert.equal(slack.code, 0, slack.stderr);
    assert.equal(receiver.requests[1]!.body.text, 'Switchboard · Switchboard test delivery: this webhook works.');
    receiver.failures = 5;
    const failed = await runCli(h.stateDir, ['webhooks', 'test', receiver.url]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /not delivered to .*: HTTP 500: try later/);
    const closed = await runCli(h.stateDir, ['webhooks', 'test', 'http://127.0.0.1:9/nothing']);
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /ECONNREFUSED/);
    const bad = await runCli(h.stateDir, ['webhooks', 'test', 'ftp://x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ftp:\/\/x is not an http:\/\/ or https:\/\/ address/);
    const log = await runCli(h.stateDir, ['webhooks', 'log', '--failed']);
    assert.match(log.stdout, /ping .* gave up +HTTP 500: try later/);
    assert.match(log.stdout, /ping .*127\.0\.0\.1:9\/nothing .*ECONNREFUSED/);
  });
});
