/**
 * A container run taken over by a new supervisor (a Switchboard opened on the folder finds the run's
 * supervisor dead and a supervisor host adopts its container) has its state folder's disk watched, as
 * a run it started has: a full disk stops it, failed, saying so. No Docker needed: the engine is a small HTTP server on a unix
 * socket answering the few calls a take-over makes (inspect, logs, wait, kill, remove) for one container
 * that runs until it is killed; the state folder is on a real 2 MiB tmpfs (mounting needs root,
 * elsewhere the suite says so and is skipped).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { mergeConfig } from '../../src/core/config';
import { writeRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { diskSpace, DISK_FULL_BYTES } from '../../src/core/store/diskSpace';
import { writePlan, type SupervisorPlan } from '../../src/core/supervisor/plan';
import { Switchboard } from '../../src/core/switchboard';
import { ensureBuilt, killEverything, SUPERVISOR, tempDir, until } from '../support/harness';

const CONTAINER = 'c0ffee0000000000000000000000000000000000000000000000000000000001';

/** An engine with one running container: its log and its wait stay open until it is killed (then it exited 137). */
function fakeEngine(socketPath: string): { server: http.Server; calls: string[] } {
  const calls: string[] = [];
  let running = true;
  const open: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    calls.push(`${req.method} ${url.split('?')[0]}${url.includes('signal=') ? ` ${/signal=(\w+)/.exec(url)![1]}` : ''}`);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (!url.startsWith(`/containers/${CONTAINER}`)) return json(404, { message: `no such object: ${url}` });
    if (req.method === 'GET' && url.startsWith(`/containers/${CONTAINER}/json`)) return json(200, { State: { Running: running, Status: running ? 'running' : 'exited', ExitCode: running ? 0 : 137, OOMKilled: false } });
    if (req.method === 'GET' && url.startsWith(`/containers/${CONTAINER}/logs`)) {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' }).flushHeaders();
      if (running) return void open.push(res);
      return void res.end();
    }
    if (req.method === 'POST' && url.startsWith(`/containers/${CONTAINER}/wait`)) {
      if (!running) return json(200, { StatusCode: 137 });
      return void open.push(res);
    }
    if (req.method === 'POST' && url.startsWith(`/containers/${CONTAINER}/kill`)) {
      running = false;
      // The log ends; the wait answers with the exit.
      for (const waiting of open.splice(0)) {
        if (waiting.headersSent) waiting.end();
        else waiting.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ StatusCode: 137 }));
      }
      return void res.writeHead(204).end();
    }
    if (req.method === 'DELETE') return void res.writeHead(204).end();
    json(404, { message: `not served here: ${req.method} ${url}` });
  });
  server.listen(socketPath);
  return { server, calls };
}

describe('a container run taken over: its disk is watched', function () {
  this.timeout(60_000);
  let mountPoint: string;
  let mounted = false;
  let engine: ReturnType<typeof fakeEngine> | undefined;
  let sb: Switchboard | undefined;
  let stateDir: string | undefined;

  before(function () {
    mountPoint = tempDir('sb-takeover-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mountPoint], { stdio: 'ignore' });
      mounted = true;
    } catch {
      this.skip(); // Not root, or no tmpfs: nothing to mount the state folder on.
    }
  });
  after(async () => {
    sb?.dispose();
    if (stateDir) await killEverything(stateDir);
    await new Promise((resolve) => (engine ? engine.server.close(resolve) : resolve(undefined)));
    if (mounted) execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  });

  it('a full disk stops the taken-over run (its container killed) and it ends failed, saying so', async () => {
    ensureBuilt();
    stateDir = path.join(mountPoint, 'state');
    const work = tempDir('sb-takeover-work-');
    const socketPath = path.join(tempDir('sb-fake-engine-'), 'docker.sock');
    engine = fakeEngine(socketPath);
    const map = new StateMap(stateDir);
    const runId = 'takeover-disk-1';
    const paths = map.run(runId);
    fs.mkdirSync(paths.dir, { recursive: true });
    fs.writeFileSync(paths.output, 'before the take-over\n');
    const plan: SupervisorPlan = {
      version: 1,
      runId,
      stateDir,
      runner: 'custom',
      request: { prompt: '', cwd: work, settings: { binary: 'sh', extraArgs: [] }, commandTemplate: 'sleep 600' },
      killGraceMs: 500,
      prices: {},
      controlSocket: paths.controlSocket,
      container: { backend: 'docker', endpoint: `unix://${socketPath}`, image: 'none', cwd: work, mounts: [work], home: paths.home, files: [], passEnv: [], runEnv: [], network: 'none' },
    };
    writePlan(paths.containerPlan, plan);
    // Its first supervisor is dead: a pid that is no process of ours (the record's start token does not match).
    const record: RunRecord = {
      version: 1, id: runId, name: 'custom-1', runner: 'custom', commandLine: ['sleep', '600'], cwd: work, prompt: 'p', status: 'running',
      controlSocket: paths.controlSocket, createdAt: Date.now(), startedAt: Date.now(), usage: { inputTokens: 0, outputTokens: 0 }, links: {},
      supervisor: { pid: process.pid, startToken: 'not-this-process' }, container: { backend: 'docker', endpoint: `unix://${socketPath}`, id: CONTAINER },
      outputBytes: 21, eventCount: 0,
    };
    writeRecord(paths, record);
    sb = await Switchboard.open({ stateDir, config: mergeConfig({ killGraceMs: 500, agentNiceness: 0 }), supervisorScript: SUPERVISOR, env: process.env });
    await until(() => engine!.calls.includes(`GET /containers/${CONTAINER}/logs`), 20_000, 'a supervisor host to take the container over');
    assert.equal(sb.runs.resolve(runId).status, 'running');
    // The disk fills (by someone else): less is left than a run's output needs, a little more than its last records.
    const free = diskSpace(stateDir)!.freeBytes;
    fs.writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(free - Math.floor(DISK_FULL_BYTES / 2)));
    await until(() => engine!.calls.includes(`POST /containers/${CONTAINER}/kill SIGKILL`), 10_000, 'the full disk to stop the container');
    const { record: final } = await sb.runs.wait(runId, 20_000);
    assert.equal(final.status, 'failed');
    assert.match(final.lastError ?? '', /^disk full: the disk of the state folder .* has no space left, so the agent was stopped/);
  });
});
