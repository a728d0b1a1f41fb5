/**
 * The lock file (feed/fileLock.ts): taken when free, and released by its holder only while it is
 * still that holder's — one taken over meanwhile (its holder kept off the CPU past staleMs) stays
 * the new holder's.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tryFileLock, withFileLock } from '../../src/core/feed/fileLock';

describe('lock file', () => {
  let root: string;
  let file: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-filelock-'));
    file = path.join(root, 'the.lock');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is held while its work runs and gone after', async () => {
    assert.equal(await withFileLock(file, () => fs.readFileSync(file, 'utf8')), String(process.pid));
    assert.equal(fs.existsSync(file), false);
  });

  it('a holder whose lock was taken over while it held it leaves the new holder\'s lock alone', () => {
    tryFileLock(file, () => {
      // Another process (process.ppid stands for it) took the lock over, this holder having been taken for frozen.
      fs.writeFileSync(file, String(process.ppid));
    });
    assert.equal(fs.readFileSync(file, 'utf8'), String(process.ppid));
  });
});
