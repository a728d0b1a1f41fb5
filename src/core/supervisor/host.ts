/**
 * The supervisor host: one detached process that supervises the runs of every registry over a
 * state folder that finds it (by its socket in hosts/; a registry starts one when it finds none).
 * It outlives the registry — runs go on after a window reload or the CLI's exit, and runs waiting in
 * a pool's line are kept and started here (queueKeeper.ts) — and leaves once it has had no run to
 * watch nor keep for a minute.
 */
import * as fs from 'node:fs';
import { errorMessage, SwitchboardError } from '../errors';
import { socketPath, StateMap } from '../state/stateMap';
import { Journal, writesSettled } from '../feed/journal';
import { readRecord } from '../runs/recordFile';
import { ControlServer } from './controlServer';
import { takePlan } from './plan';
import type { ControlRequest, KeepResult, LaunchResult } from './protocol';
import { QueueKeeper } from './queueKeeper';
import type { PoolsConfig } from '../pools/pools';
import { runEntity } from '../feed/entities';
import { poolKey, runKey } from '../feed/feedEvent';
import { Supervisor } from './supervisor';
import { hostLog } from './hostLog';
import { adoptContainerRun } from './adoptContainer';
import { stopSharedSsh } from '../containers/sshDial';

/** How long a host with nothing to watch stays (SWITCHBOARD_HOST_IDLE_MS shortens it, for tests). */
const IDLE_EXIT_MS = Number(process.env.SWITCHBOARD_HOST_IDLE_MS) || 60_000;
const CLOSE_GRACE_MS = 5_000;

/** `entry`: the host's entry in its state folder's hosts/ (see StateMap.hostEntry); its socket is there, or elsewhere when that path is too long for one. */
export async function hostMain(entry: string): Promise<void> {
  const socket = socketPath(entry);
  process.on('uncaughtException', (error) => hostLog(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => hostLog(`unhandled rejection: ${String(error)}`));
  process.on('SIGHUP', () => {});
  const supervisors = new Set<Supervisor>();
  const journals = new Map<string, Journal>();
  let idle: NodeJS.Timeout | undefined;
  let exiting = false;

  const exit = async (): Promise<void> => {
    exiting = true;
    // Its socket goes first: registries looking for a live host find it no more, while those already connected are told it is shutting down.
    fs.rmSync(socket, { force: true });
    fs.rmSync(entry, { force: true });
    // Requests still in flight get a few seconds to be answered; none may keep the host alive for good.
    // Feed lines that waited for the append lock are written too; the ssh connections it shared with Docker engines take no new sessions.
    await Promise.race([Promise.all([server.close(), writesSettled(), stopSharedSsh()]), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS))]);
    process.exit(0);
  };
  const armIdleExit = (): void => {
    if (supervisors.size === 0 && keeper.size === 0 && !idle) idle = setTimeout(() => void exit(), IDLE_EXIT_MS);
  };
  const journalOf = (stateDir: string): Journal => journals.get(stateDir) ?? journals.set(stateDir, new Journal(new StateMap(stateDir))).get(stateDir)!;
  // Runs waiting in pools' lines that processes handed over, to start when their turn comes.
  const keeper = new QueueKeeper({
    launch: (stateDir, runId, env) => launch(stateDir, runId, env),
    poolChanged: (stateDir, { type, pool, ...rest }) => journalOf(stateDir).append({ type, key: poolKey(pool), entity: { pool, ...rest } }),
    ended: (stateDir, record) => journalOf(stateDir).append({ type: 'agent.failed', key: runKey(record.id), entity: runEntity(record) }),
    idle: () => armIdleExit(),
  });

  /** The run's supervisor, made from its plan and record (a launch that cannot make one arms the idle exit again). */
  const supervise = (stateDir: string, runId: string, env: Record<string, string>, adopt: boolean): Supervisor => {
    const paths = new StateMap(stateDir).run(runId);
    if (adopt) return adoptContainerRun(stateDir, runId, env, journalOf(stateDir));
    // The plan is taken by the one host that starts the run (it holds the prompt unredacted, and lives only until taken):
    // none left means another host took it (and went away), or the run was killed while it waited in line.
    const plan = takePlan(paths.plan);
    if (!plan) throw new SwitchboardError('spawn_failed', 'another supervisor host took this run and went away before its agent could be followed, or it was killed before it started', undefined, { planTaken: true });
    const read = readRecord(paths);
    if (read.kind !== 'ok') throw new SwitchboardError('internal', `the run record in ${paths.dir} could not be read (${read.kind})`);
    return new Supervisor(plan, read.value, env, journalOf(stateDir));
  };

  const launch = async (stateDir: string, runId: string, env: Record<string, string>, adopt = false): Promise<LaunchResult> => {
    if (exiting) throw new SwitchboardError('internal', 'the supervisor host is shutting down');
    if (idle) clearTimeout(idle);
    idle = undefined;
    let supervisor: Supervisor;
    try {
      supervisor = supervise(stateDir, runId, env, adopt);
    } catch (error) {
      // Nothing to watch after all: the host must still leave when idle.
      armIdleExit();
      throw error;
    }
    supervisors.add(supervisor);
    void supervisor.finished.then(async () => {
      // A socket it could not remove (the folder went read-only) must not keep the host from leaving.
      await supervisor.close().catch((error: unknown) => hostLog(`closing the supervisor of ${runId}: ${errorMessage(error)}`));
      supervisors.delete(supervisor);
      // Its slot is free: a run kept in line here may go now.
      keeper.poke();
      armIdleExit();
    });
    try {
      const record = adopt ? await supervisor.adopt() : await supervisor.start();
      return { pid: record.agent?.pid ?? 0 };
    } catch (error) {
      supervisors.delete(supervisor);
      armIdleExit();
      throw error;
    }
  };

  const keep = async (stateDir: string, runId: string, env: Record<string, string>, pools: PoolsConfig): Promise<KeepResult> => {
    if (exiting) throw new SwitchboardError('internal', 'the supervisor host is shutting down');
    if (idle) clearTimeout(idle);
    idle = undefined;
    try {
      return { launcher: await keeper.keep(stateDir, runId, env, pools) };
    } finally {
      armIdleExit();
    }
  };

  const server = new ControlServer(socket, (request: ControlRequest) => {
    if (request.op === 'ping') return Promise.resolve({ pid: process.pid });
    if (request.op === 'keep') return keep(request.stateDir, request.runId, request.env ?? {}, request.pools);
    if (request.op !== 'launch') return Promise.reject(new SwitchboardError('invalid_argument', `a supervisor host does not do "${request.op}"`));
    return launch(request.stateDir, request.runId, request.env ?? {}, request.adopt === true);
  }, { label: 'supervisor host' });

  // Someone stopping the host itself means: stop its runs too, rather than leave them unwatched.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void Promise.all([keeper.abandon(`the supervisor host keeping its place in line was stopped (${signal}) before a slot freed`), ...[...supervisors].map((s) => s.stopFromSignal(signal))]).then(exit);
    });
  }
  // The process that started the host may be gone before it reads the ready line (its run was refused): nothing to tell then.
  process.stdout.on('error', () => {});
  try {
    await server.listen();
    // A socket made elsewhere is listed in hosts/ by a file standing in for it, so that registries find this host.
    if (socket !== entry) fs.writeFileSync(entry, '', { mode: 0o600 });
  } catch (error) {
    process.stdout.write(JSON.stringify({ ok: false, error: { code: 'internal', message: errorMessage(error) } }) + '\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ ok: true, pid: process.pid }) + '\n');
  process.stdout.end();
  armIdleExit();
}
