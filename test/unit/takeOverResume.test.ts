/**
 * Where a supervisor that takes a run over goes on from (real files in a temp dir): the events its
 * dead predecessor's record counted are kept and the rest cut (a torn line too), the output is parsed
 * again from the start of the line the record's byte count fell in, and indexed from where the index ended.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tempDir } from '../support/harness';
import { StateMap } from '../../src/core/state/stateMap';
import { keepEvents, readEvents } from '../../src/core/runs/eventLog';
import { indexedBytes, lineStart, OutputFollower, readIndex } from '../../src/core/runs/outputLog';

describe('resuming a run taken over', () => {
  const paths = () => {
    const run = new StateMap(tempDir('sb-resume-')).run('r1');
    fs.mkdirSync(run.dir, { recursive: true });
    return run;
  };

  it('keeps the events the record counted, cuts later ones and a torn last line', () => {
    const run = paths();
    const lines = [{ version: 1, kind: 'switchboard-events' }, ...[1, 2, 3, 4].map((seq) => ({ seq, ts: seq, type: 'text', text: `t${seq}` }))].map((e) => JSON.stringify(e) + '\n');
    fs.writeFileSync(run.events, lines.join('') + '{"seq":5,"ty');
    assert.deepEqual(keepEvents(run, 2).map((e) => e.seq), [1, 2]);
    assert.equal(fs.readFileSync(run.events, 'utf8'), lines.slice(0, 3).join(''));
    assert.deepEqual(readEvents(run).map((e) => e.seq), [1, 2]);
    assert.deepEqual(keepEvents(run, 9).map((e) => e.seq), [1, 2], 'keeping more than there are keeps them all');
  });

  it('finds the start of the line a byte is in', () => {
    const run = paths();
    fs.writeFileSync(run.output, `one\n${'x'.repeat(200_000)}\nthree`);
    assert.equal(lineStart(run, 0), 0);
    assert.equal(lineStart(run, 2), 0);
    assert.equal(lineStart(run, 4), 4);
    assert.equal(lineStart(run, 150_000), 4, 'across more than one read back');
    assert.equal(lineStart(run, 200_006), 200_005);
  });

  it('parses again from the line start and indexes only what the index did not cover', () => {
    const run = paths();
    fs.writeFileSync(run.output, 'a\nbb\ncc');
    fs.writeFileSync(run.outputIndex, `${JSON.stringify({ version: 1, kind: 'switchboard-output-index' })}\n${JSON.stringify([0, 3, 1, 'o'])}\n`);
    const parsed: string[] = [];
    const follower = new OutputFollower(run, (chunk) => parsed.push(chunk.toString()), () => undefined, (error) => assert.fail(error));
    follower.resumeAt(lineStart(run, 4), indexedBytes(run));
    follower.catchUp();
    assert.deepEqual(parsed, ['bb\ncc']);
    assert.equal(follower.bytes, 7);
    follower.close();
    assert.deepEqual(readIndex(run).map(([offset, length]) => [offset, length]), [[0, 3], [3, 4]]);
  });
});
