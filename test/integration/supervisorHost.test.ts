/** The supervisor host leaves once it has nothing to watch, also after a launch it could not do. */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { ControlClient } from '../../src/core/registry/controlClient';
import { ensureBuilt, pidAlive, SUPERVISOR, tempDir, until } from '../support/harness';

describe('supervisor host', function () {
  this.timeout(30_000);
  before(() => ensureBuilt());

  it('refuses a launch whose run has no plan, and still leaves when idle', async () => {
    const stateDir = tempDir('sb-host-');
    const socket = path.join(stateDir, 'host.sock');
    const host = spawn(process.execPath, [SUPERVISOR, '--host', socket], { env: { ...process.env, SWITCHBOARD_HOST_IDLE_MS: '1000' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => host.stdout.once('data', () => resolve()));
      const client = await ControlClient.connect(socket);
      await assert.rejects(client.request({ op: 'launch', stateDir, runId: 'nothing', env: {} }), (e: SwitchboardError) => /another supervisor host took this run/.test(e.message));
      client.close();
      await until(() => !pidAlive(host.pid!), 10_000, 'the idle host to exit');
    } finally {
      host.kill('SIGKILL');
    }
  });
});
