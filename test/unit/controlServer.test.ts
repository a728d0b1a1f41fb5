/**
 * The control server over a real Unix socket: a subscriber that stops reading is dropped once its
 * send buffer passes the limit, instead of making the server buffer without bound; one that reads
 * keeps everything.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { ControlServer, MAX_PENDING_WRITE } from '../../src/core/supervisor/controlServer';
import { tempDir, until } from '../support/harness';

/** Connects and subscribes; resolves once the subscription is answered. `stall` then stops reading for good. */
function subscribe(socketPath: string, stall: boolean): Promise<{ socket: net.Socket; received: () => number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let received = 0;
    let answered = false;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (answered || !chunk.includes('"id":1')) return;
      answered = true;
      if (stall) socket.pause();
      resolve({ socket, received: () => received, closed });
    });
    socket.once('connect', () => socket.write(JSON.stringify({ id: 1, op: 'subscribe' }) + '\n'));
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('control server: a subscriber that stops reading', function () {
  this.timeout(30_000);
  const sockets: net.Socket[] = [];
  let server: ControlServer | undefined;
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server?.close();
    server = undefined;
  });

  it('is dropped with a logged reason once its buffer passes the limit (8 MiB), and the server never holds much more', async () => {
    const socketPath = path.join(tempDir('sb-ctl-'), 'c.sock');
    const logged: string[] = [];
    server = new ControlServer(socketPath, () => Promise.resolve({ status: 'running' }), { label: 'run test', log: (m) => logged.push(m) });
    await server.listen();
    const stalled = await subscribe(socketPath, true);
    const reader = await subscribe(socketPath, false);
    sockets.push(stalled.socket, reader.socket);

    // 40 MiB of notifications, 4 KiB each, sent as fast as the server can.
    const note = { note: 'event' as const, event: { type: 'text' as const, text: 'x'.repeat(4000), seq: 0, ts: 0 } };
    const lineBytes = Buffer.byteLength(JSON.stringify(note)) + 1;
    let sent = 0;
    let peak = 0;
    for (let i = 0; i < 10_240; i++) {
      note.event.seq = i + 1;
      server.notify(note);
      sent += lineBytes;
      peak = Math.max(peak, server.pendingWrite);
      // Let the reading subscriber drain now and then, as a live one would.
      if (i % 8 === 0) await tick();
    }
    assert.equal(server.dropped, 1, 'the stalled subscriber was dropped');
    assert.ok(peak <= 2 * (MAX_PENDING_WRITE + lineBytes), `the server held at most about the limit for the stalled one (peak ${peak})`);
    assert.ok(sent > 4 * MAX_PENDING_WRITE, 'far more was sent than the limit');
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^run test: dropped a subscriber that stopped reading \(\d+ bytes waiting to be sent, limit 8388608\)/);

    // What the stalled one finally gets, when it reads again, is bounded; then its socket ends.
    stalled.socket.resume();
    await stalled.closed;
    assert.ok(stalled.received() < MAX_PENDING_WRITE + 4 * 1024 * 1024, `it got ${stalled.received()} bytes, not ${sent}`);
    // The reading subscriber got every notification.
    await until(() => reader.received() >= sent, 20_000, 'the reader to get everything');
    assert.equal(reader.socket.destroyed, false);
  });

  it('honours a smaller limit, and a request answered to a stalled connection is dropped the same way', async () => {
    const socketPath = path.join(tempDir('sb-ctl-'), 'c.sock');
    const logged: string[] = [];
    server = new ControlServer(socketPath, () => Promise.resolve('y'.repeat(64 * 1024)), { maxPendingWrite: 256 * 1024, log: (m) => logged.push(m) });
    await server.listen();
    const stalled = await subscribe(socketPath, true);
    sockets.push(stalled.socket);
    // The stalled client keeps asking (a steer, say) without ever reading the answers.
    for (let i = 2; i < 200 && server.dropped === 0; i++) {
      stalled.socket.write(JSON.stringify({ id: i, op: 'steer', message: 'm', source: 't' }) + '\n');
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(server.dropped, 1);
    assert.ok(server.pendingWrite <= 256 * 1024 + 70 * 1024);
    assert.match(logged[0]!, /dropped a subscriber that stopped reading/);
    stalled.socket.resume();
    await stalled.closed;
  });
});
