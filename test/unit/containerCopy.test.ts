/** Copy mode without an engine: when a worktree is copied, the tar reader and writer (against the system's tar), and applying a container's worktree back safely. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerPlan, copiesWorktree, DEFAULT_CONTAINERS } from '../../src/core/containers/containerPlan';
import { readTar, safeEntryName, tarEntry, TAR_END, type TarEntry } from '../../src/core/containers/tar';
import { packFolders, WorktreeApplier, type Manifest } from '../../src/core/containers/worktreeCopy';
import { removeTempDirs, tempDir } from '../support/harness';

const entry = (name: string, kind: TarEntry['kind'], extra: Partial<TarEntry> = {}): TarEntry => ({ name, kind, mode: kind === 'dir' ? 0o755 : 0o644, uid: 1000, gid: 1000, mtimeMs: 1_700_000_000_000, ...extra });
const archive = (...entries: TarEntry[]): Buffer => Buffer.concat([...entries.map(tarEntry), TAR_END]);
const streamed = async (stream: NodeJS.ReadableStream): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

describe('when a worktree is copied (containers.copyWorktree)', () => {
  it('auto: mounted for the local socket, copied for ssh:// and tcp:// engines; always and never as said', () => {
    assert.equal(copiesWorktree('auto', 'unix:///var/run/docker.sock'), false);
    assert.equal(copiesWorktree(undefined, 'unix:///var/run/docker.sock'), false);
    assert.equal(copiesWorktree('auto', 'ssh://me@build-box'), true);
    assert.equal(copiesWorktree('auto', 'tcp://10.0.0.5:2375'), true);
    assert.equal(copiesWorktree('always', 'unix:///var/run/docker.sock'), true);
    assert.equal(copiesWorktree('never', 'ssh://build-box'), false);
  });

  it('puts the run\'s volume and manifest in the plan of a docker run it copies, never of a swarm job', () => {
    const cwd = tempDir('sb-copy-plan-');
    const home = path.join(cwd, 'home');
    const run = { id: 'abc123', copiedWorktree: path.join(cwd, 'run', 'copied-worktree.json') };
    const plan = (kind: 'docker' | 'swarm', host: string) => containerPlan({ kind }, DEFAULT_CONTAINERS, cwd, home, { DOCKER_HOST: host }, [], run).copy;
    assert.deepEqual(plan('docker', 'ssh://build-box'), { volume: 'sb-abc123-worktree', manifest: run.copiedWorktree });
    assert.equal(plan('docker', 'unix:///var/run/docker.sock'), undefined);
    assert.equal(plan('swarm', 'tcp://box:2375'), undefined);
  });
});

describe('tar', () => {
  after(removeTempDirs);

  it('reads back what it writes: files, folders, links, names and link targets longer than ustar holds (PAX)', () => {
    const long = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
    const entries = [
      entry('top', 'dir'),
      entry('top/a.txt', 'file', { data: Buffer.from('hello') }),
      entry(`top/${long}`, 'file', { data: Buffer.alloc(70_000, 7), mode: 0o755 }),
      entry('top/link', 'symlink', { linkname: `../${'x'.repeat(150)}` }),
      entry('top/empty', 'file', { data: Buffer.alloc(0) }),
    ];
    const read = readTar(archive(...entries));
    assert.deepEqual(
      read.map((e) => [e.name, e.kind, e.mode, e.linkname, e.data?.length]),
      [
        ['top', 'dir', 0o755, undefined, undefined],
        ['top/a.txt', 'file', 0o644, undefined, 5],
        [`top/${long}`, 'file', 0o755, undefined, 70_000],
        ['top/link', 'symlink', 0o644, `../${'x'.repeat(150)}`, undefined],
        ['top/empty', 'file', 0o644, undefined, 0],
      ],
    );
    assert.ok(read[2]!.data!.equals(Buffer.alloc(70_000, 7)));
    assert.equal(read[1]!.mtimeMs, 1_700_000_000_000);
  });

  it('writes what the system\'s tar unpacks, and reads what it packs in GNU and PAX formats (long names)', () => {
    const dir = tempDir('sb-tar-');
    const long = `${'folder-name/'.repeat(12)}file.txt`;
    fs.writeFileSync(path.join(dir, 'ours.tar'), archive(entry('x', 'dir'), entry(`x/${long}`, 'file', { data: Buffer.from('ours') }), entry('x/l', 'symlink', { linkname: 'target' })));
    fs.mkdirSync(path.join(dir, 'out'));
    execFileSync('tar', ['-xf', path.join(dir, 'ours.tar'), '-C', path.join(dir, 'out')]);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'x', long), 'utf8'), 'ours');
    assert.equal(fs.readlinkSync(path.join(dir, 'out', 'x', 'l')), 'target');
    for (const format of ['gnu', 'pax']) {
      execFileSync('tar', [`--format=${format}`, '-cf', path.join(dir, `${format}.tar`), '-C', path.join(dir, 'out'), 'x']);
      const read = readTar(fs.readFileSync(path.join(dir, `${format}.tar`)));
      const file = read.find((e) => e.kind === 'file');
      assert.equal(file?.name, `x/${long}`, format);
      assert.equal(file?.data?.toString(), 'ours');
      assert.equal(read.find((e) => e.kind === 'symlink')?.linkname, 'target');
    }
  });

  it('refuses entry names that are absolute or climb out with ..', () => {
    for (const name of ['../evil', 'top/../../evil', '/etc/passwd', 'a/..', 'C:/x']) {
      assert.throws(() => readTar(archive(entry(name, 'file', { data: Buffer.from('x') }))), /leaves the folder it is unpacked into: refused/, name);
    }
    assert.throws(() => readTar(archive(entry('top/h', 'hardlink', { linkname: '../../etc/passwd' }))), /refused/);
    assert.equal(safeEntryName('./top/./a.txt'), 'top/a.txt');
    assert.equal(safeEntryName('top/b..c'), 'top/b..c');
  });

  it('says so when an archive ends in the middle of an entry', () => {
    const whole = archive(entry('a', 'file', { data: Buffer.alloc(2000, 1) }));
    assert.throws(() => readTar(whole.subarray(0, 1024)), /ended in the middle of an entry/);
  });
});

/** The manifest of these files as they are now (what the upload would have noted). */
const stamps = (top: string, names: string[]): Manifest => Object.fromEntries(names.map((n) => [n, [fs.lstatSync(path.join(top, n)).size, fs.lstatSync(path.join(top, n)).mtimeMs]]));

describe('the worktree copied back', () => {
  after(removeTempDirs);

  it('never writes through a hard link: a file linked to one outside gets a new file of its own', () => {
    const top = tempDir('sb-apply-hard-');
    const outside = path.join(tempDir('sb-apply-hard-outside-'), 'store.js');
    fs.writeFileSync(outside, 'shared');
    fs.linkSync(outside, path.join(top, 'dep.js'));
    const applier = new WorktreeApplier(top, stamps(top, ['dep.js']));
    applier.push(archive(entry('wt', 'dir'), entry('wt/dep.js', 'file', { data: Buffer.from('patched in the container') })));
    assert.deepEqual(applier.end().written, ['dep.js']);
    assert.equal(fs.readFileSync(path.join(top, 'dep.js'), 'utf8'), 'patched in the container');
    assert.equal(fs.readFileSync(outside, 'utf8'), 'shared', 'the linked file outside is untouched');
  });

  it('keeps what was changed here during the run: neither overwritten nor deleted, each said', () => {
    const top = tempDir('sb-apply-mine-');
    for (const name of ['edited.txt', 'edited-gone.txt', 'theirs.txt']) fs.writeFileSync(path.join(top, name), 'as uploaded');
    const manifest = stamps(top, ['edited.txt', 'edited-gone.txt', 'theirs.txt']);
    // A person edits two files while the agent works on the copy.
    for (const name of ['edited.txt', 'edited-gone.txt']) fs.writeFileSync(path.join(top, name), 'edited here, longer');
    fs.writeFileSync(path.join(top, 'new-here.txt'), 'made here');
    const applier = new WorktreeApplier(top, manifest);
    applier.push(
      archive(
        entry('wt', 'dir'),
        entry('wt/edited.txt', 'file', { data: Buffer.from('edited by the agent') }),
        entry('wt/theirs.txt', 'file', { data: Buffer.from('edited by the agent') }),
        entry('wt/new-here.txt', 'file', { data: Buffer.from('made by the agent') }),
      ),
    );
    const applied = applier.end();
    assert.deepEqual(applied.written, ['theirs.txt']);
    assert.deepEqual(applied.deleted, []);
    assert.deepEqual(applied.refused, [
      'edited.txt (changed in the container and here since: kept as it is here)',
      'new-here.txt (changed in the container and here since: kept as it is here)',
      'edited-gone.txt (deleted in the container, changed here since: kept)',
    ]);
    for (const name of ['edited.txt', 'edited-gone.txt']) assert.equal(fs.readFileSync(path.join(top, name), 'utf8'), 'edited here, longer');
    assert.equal(fs.readFileSync(path.join(top, 'new-here.txt'), 'utf8'), 'made here');
  });

  it('packs the worktree by absolute paths without following links, listing its files but not its .git', async () => {
    const top = tempDir('sb-pack-');
    fs.mkdirSync(path.join(top, '.git'));
    fs.writeFileSync(path.join(top, '.git', 'HEAD'), 'ref');
    fs.writeFileSync(path.join(top, 'a.txt'), 'a');
    fs.symlinkSync('/etc', path.join(top, 'out'));
    const { stream, manifest } = packFolders([top]);
    const read = readTar(await streamed(stream));
    // Filled as the files are packed, each with its size and mtime then.
    assert.deepEqual(manifest, { 'a.txt': [1, fs.lstatSync(path.join(top, 'a.txt')).mtimeMs], out: [4, fs.lstatSync(path.join(top, 'out')).mtimeMs] });
    const rel = top.replace(/^\//, '');
    assert.deepEqual(read.map((e) => [e.name, e.kind]), [[rel, 'dir'], [`${rel}/.git`, 'dir'], [`${rel}/.git/HEAD`, 'file'], [`${rel}/a.txt`, 'file'], [`${rel}/out`, 'symlink']]);
  });

  it('writes what changed, deletes of the uploaded files what the container lacks, and never goes through a symbolic link or into .git', () => {
    const top = tempDir('sb-apply-');
    const outside = tempDir('sb-apply-outside-');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'untouched');
    fs.writeFileSync(path.join(top, 'same.txt'), 'same');
    fs.writeFileSync(path.join(top, 'changed.txt'), 'before');
    fs.writeFileSync(path.join(top, 'deleted.txt'), 'x');
    fs.writeFileSync(path.join(top, 'mine-since.txt'), 'made here during the run');
    fs.symlinkSync(outside, path.join(top, 'dirlink'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(top, 'filelink'));
    fs.mkdirSync(path.join(top, '.git'));
    fs.writeFileSync(path.join(top, '.git', 'index'), 'local index');
    const applier = new WorktreeApplier(top, stamps(top, ['same.txt', 'changed.txt', 'deleted.txt', 'dirlink', 'filelink']));
    applier.push(
      archive(
        entry('wt', 'dir'),
        entry('wt/same.txt', 'file', { data: Buffer.from('same') }),
        entry('wt/changed.txt', 'file', { data: Buffer.from('after') }),
        entry('wt/new/deep.txt', 'file', { data: Buffer.from('new') }),
        entry('wt/dirlink', 'symlink', { linkname: outside }),
        entry('wt/dirlink/secret.txt', 'file', { data: Buffer.from('overwritten through a link') }),
        entry('wt/filelink', 'file', { data: Buffer.from('a file now') }),
        entry('wt/.git/index', 'file', { data: Buffer.from('container index') }),
      ),
    );
    const applied = applier.end();
    assert.deepEqual(applied.written, ['changed.txt', 'new/deep.txt', 'filelink']);
    assert.deepEqual(applied.deleted, ['deleted.txt']);
    assert.deepEqual(applied.refused, ['dirlink/secret.txt (dirlink is not a folder here)']);
    assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'untouched');
    assert.equal(fs.readFileSync(path.join(top, 'changed.txt'), 'utf8'), 'after');
    assert.equal(fs.readFileSync(path.join(top, 'new', 'deep.txt'), 'utf8'), 'new');
    assert.ok(fs.lstatSync(path.join(top, 'filelink')).isFile());
    assert.equal(fs.readFileSync(path.join(top, 'filelink'), 'utf8'), 'a file now');
    assert.equal(fs.readFileSync(path.join(top, 'mine-since.txt'), 'utf8'), 'made here during the run');
    assert.equal(fs.readFileSync(path.join(top, '.git', 'index'), 'utf8'), 'local index');
    assert.equal(fs.existsSync(path.join(top, 'deleted.txt')), false);
  });

  it('an archive cut short between two entries (no end marker) deletes nothing, and says so', () => {
    const top = tempDir('sb-apply-cut-');
    for (const name of ['a.txt', 'b.txt']) fs.writeFileSync(path.join(top, name), name);
    const applier = new WorktreeApplier(top, stamps(top, ['a.txt', 'b.txt']));
    applier.push(Buffer.concat([tarEntry(entry('wt', 'dir')), tarEntry(entry('wt/a.txt', 'file', { data: Buffer.from('changed') }))]));
    assert.throws(() => applier.end(), /ended before its end marker.*nothing was deleted/);
    assert.equal(fs.readFileSync(path.join(top, 'a.txt'), 'utf8'), 'changed', 'what came is written');
    assert.equal(fs.readFileSync(path.join(top, 'b.txt'), 'utf8'), 'b.txt', 'what did not come is not deleted');
  });
});
