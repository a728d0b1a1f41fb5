/**
 * Writes under the state folder's lock files from several real processes at once, none of which
 * ever blocks a thread waiting: feed appends are neither lost, torn, interleaved nor numbered
 * twice (each process's in the order it made them), and changes to one list of discoveries are
 * never lost to each other.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDiscoveries } from '../../src/core/discoveries/discoveryStore';
import { StateMap } from '../../src/core/state/stateMap';
import { ROOT, tempDir } from '../support/harness';

const WRITER = path.join(ROOT, 'test', 'fixtures', 'appendMany.ts');
const PROCESSES = 6;
const EACH = 400;

function writer(stateDir: string, tag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, stateDir, String(EACH), tag], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
  });
}

describe('locked writes from several processes at once', function () {
  this.timeout(180_000);

  it(`${PROCESSES} processes appending ${EACH} feed changes and ${EACH / 10} discoveries each: every one written once, whole, in order, numbered 1..n`, async () => {
    const stateDir = tempDir('sb-locked-writes-');
    const state = new StateMap(stateDir);
    fs.mkdirSync(path.dirname(state.discoveries({ team: 't' }).file), { recursive: true });
    const waited = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => writer(stateDir, `p${p}`)));
    console.log(`      feed changes that found the lock held and waited in line: ${waited.join(', ')} (of ${EACH} each)`);

    const lines = fs.readFileSync(state.feedJournal, 'utf8').split('\n').filter(Boolean);
    const events = lines.map((line) => JSON.parse(line) as { seq: number; key: string; entity: { tag: string; i: number } });
    assert.equal(events.length, PROCESSES * EACH, 'one whole line per change');
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: events.length }, (_, i) => i + 1), 'numbered 1..n, none twice');
    for (let p = 0; p < PROCESSES; p++) {
      const mine = events.filter((e) => e.entity.tag === `p${p}`).map((e) => e.entity.i);
      assert.deepEqual(mine, Array.from({ length: EACH }, (_, i) => i), `process ${p}'s changes, each once and in its order`);
    }
    assert.equal(fs.existsSync(state.feedAppendLock), false, 'the append lock is let go');

    const discoveries = readDiscoveries(stateDir, { team: 't' });
    assert.equal(discoveries.length, PROCESSES * (EACH / 10), 'no change to the list lost');
    assert.equal(new Set(discoveries.map((d) => d.id)).size, discoveries.length, 'each its own id');
    assert.equal(new Set(discoveries.map((d) => d.title)).size, discoveries.length, 'each once');
  });
});
