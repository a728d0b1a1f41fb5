/** Small pure pieces: command templates, redaction, torn JSON lines, UTF-8-safe reads, run lookup, usage. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expandTemplate, splitCommandLine } from '../../src/core/runners/commandTemplate';
import { redactArgs, redactText } from '../../src/core/redact';
import { appendJsonLine, readJsonLines } from '../../src/core/store/jsonLines';
import { readJsonFile, writeJsonAtomic } from '../../src/core/store/atomicFile';
import { utf8SafeEnd } from '../../src/core/runs/outputLog';
import { resolveRun } from '../../src/core/registry/resolveRun';
import { UsageMeter } from '../../src/core/runs/usageMeter';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import type { RunRecord } from '../../src/core/runs/types';
import { SwitchboardError } from '../../src/core/errors';
import { formatKilled } from '../../src/core/render';
import { tempDir } from '../support/harness';

describe('command templates', () => {
  it('split like a shell would, without running one', () => {
    assert.deepEqual(splitCommandLine(`a "b c" 'd e' f\\ g "h\\"i"`), ['a', 'b c', 'd e', 'f g', 'h"i']);
  });
  it('substitute the prompt as one literal argument, however hostile', () => {
    const prompt = `"; rm -rf / $(whoami) 'x`;
    assert.deepEqual(expandTemplate('echo --task={prompt}', prompt), ['echo', `--task=${prompt}`]);
    assert.deepEqual(expandTemplate('echo', prompt), ['echo', prompt]);
  });
  it('reject an unclosed quote with a clear message', () => {
    assert.throws(() => splitCommandLine('echo "oops'), /unclosed " quote/);
  });
});

describe('redaction', () => {
  it('hides secret flags, assignments, known key shapes and given values', () => {
    assert.deepEqual(redactArgs(['cli', '--api-key', 'abc', '--token=xyz', 'sk-ant-0123456789abcdefghij']), ['cli', '--api-key', '<<REDACTED_SECRET_1>>', '--token=<<REDACTED_SECRET_2>>', '<<REDACTED_ANTHROPIC_KEY_1>>']);
    assert.equal(redactText('Authorization: Bearer abcdefghijklmnop', []), 'Authorization: Bearer <<REDACTED_BEARER_TOKEN_1>>');
    assert.equal(redactText('key is hunter22hunter22', ['hunter22hunter22']), 'key is <<REDACTED_SECRET_1>>');
    const tokens = ['glpat-AbCdEf0123456789xYzW', 'github_pat_11ABCDEFG0123456789_abcdefghij', 'npm_abcdefghijABCDEFGHIJ0123456789ab', 'hf_abcdefghijABCDEFGHIJ0123456789ab'];
    for (const token of tokens) assert.match(redactText(`push with ${token} now`), /^push with <<REDACTED_[A-Z]+_TOKEN_1>> now$/, token);
  });
});

describe('JSON lines and atomic files', () => {
  it('a torn last line is skipped and read again once it is complete', () => {
    const file = path.join(tempDir(), 'x.jsonl');
    fs.writeFileSync(file, '{"a":1}\n{"a":2}\n{"a":');
    const first = readJsonLines<{ a: number }>(file);
    assert.deepEqual(first.items, [{ a: 1 }, { a: 2 }]);
    fs.appendFileSync(file, '3}\n');
    assert.deepEqual(readJsonLines<{ a: number }>(file, first.nextOffset).items, [{ a: 3 }]);
  });
  it('a line appended after a torn one is not merged into it', () => {
    const file = path.join(tempDir(), 'events.jsonl');
    appendJsonLine(file, { a: 1 });
    fs.appendFileSync(file, '{"a":');
    appendJsonLine(file, { a: 3 });
    appendJsonLine(file, { a: 4 });
    assert.equal(fs.readFileSync(file, 'utf8'), '{"a":1}\n{"a":\n{"a":3}\n{"a":4}\n');
    assert.deepEqual(readJsonLines<{ a: number }>(file).items, [{ a: 1 }, { a: 3 }, { a: 4 }]);
  });
  it('a corrupt document is set aside, not lost', () => {
    const file = path.join(tempDir(), 'doc.json');
    fs.writeFileSync(file, '{"version":1, broken');
    const read = readJsonFile(file, () => undefined);
    assert.equal(read.kind, 'corrupt');
    assert.equal(fs.readFileSync((read as { setAsideAs: string }).setAsideAs, 'utf8'), '{"version":1, broken');
    writeJsonAtomic(file, { version: 1 });
    assert.deepEqual(readJsonFile(file, () => undefined), { kind: 'ok', value: { version: 1 } });
  });

  it('a folder where a document belongs is set aside whole, as a corrupt document is, and the path is free again', () => {
    const folder = path.join(tempDir(), 'config.json');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'kept.txt'), 'mine');
    const read = readJsonFile(folder, () => undefined);
    assert.equal(read.kind, 'corrupt');
    const { setAsideAs, reason } = read as { setAsideAs: string; reason: string };
    assert.equal(reason, 'a folder where Switchboard keeps a file');
    assert.equal(fs.readFileSync(path.join(setAsideAs, 'kept.txt'), 'utf8'), 'mine');
    assert.deepEqual(readJsonFile(folder, () => undefined), { kind: 'missing' });
  });
});

describe('UTF-8 safe reads', () => {
  it('never end inside a multi-byte character', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    assert.equal(utf8SafeEnd(euro), 4);
    assert.equal(utf8SafeEnd(euro.subarray(0, 3)), 1);
    assert.equal(utf8SafeEnd(euro.subarray(0, 2)), 1);
  });
});

describe('finding a run', () => {
  const run = (id: string, name: string, status: RunRecord['status'], createdAt = 0) =>
    ({ id, name, status, createdAt }) as RunRecord;
  const runs = [run('abcd1111', 'alpha', 'done', 1), run('abce2222', 'beta', 'running', 2), run('zz999999', 'alpha', 'running', 3)];
  it('by id, by name (the running one when a name was reused), by unique prefix', () => {
    assert.equal(resolveRun(runs, 'abcd1111').id, 'abcd1111');
    assert.equal(resolveRun(runs, 'alpha').id, 'zz999999');
    assert.equal(resolveRun(runs, 'zz').id, 'zz999999');
  });
  it('an ambiguous prefix lists the candidates; an unknown id says so', () => {
    assert.throws(() => resolveRun(runs, 'abc'), (e: SwitchboardError) => e.code === 'ambiguous_run' && /abcd1111/.test(e.message) && /abce2222/.test(e.message));
    assert.throws(() => resolveRun(runs, 'nope'), (e: SwitchboardError) => e.code === 'unknown_run');
  });
  it('an ambiguous prefix of many runs names ten of them and counts the rest', () => {
    const many = Array.from({ length: 300 }, (_, i) => run(`a${String(i).padStart(7, '0')}`, `r${i}`, 'done', i));
    assert.throws(
      () => resolveRun(many, 'a'),
      (e: SwitchboardError) => /^"a" matches 300 runs: a0000000 \(r0, done\), .*a0000009 \(r9, done\) and 290 more\.$/.test(e.message) && (e.details?.candidates as unknown[]).length === 300,
    );
  });
});

describe('usage across turns and processes', () => {
  it('adds per-turn reports, keeps the latest running total, and marks estimates', () => {
    const claude = new UsageMeter('turn', 'session');
    claude.add({ inputTokens: 100, outputTokens: 10, usd: 0.01 });
    claude.add({ inputTokens: 50, outputTokens: 5, usd: 0.015 });
    assert.deepEqual(claude.total(DEFAULT_PRICES, 'claude', undefined), { inputTokens: 150, outputTokens: 15, usd: 0.015, usdSource: 'reported' });
    const codex = new UsageMeter('session');
    codex.add({ inputTokens: 240, outputTokens: 60 });
    codex.closeProcess();
    codex.add({ inputTokens: 360, outputTokens: 90 });
    const total = codex.total(DEFAULT_PRICES, 'codex', 'gpt-5.5');
    assert.deepEqual([total.inputTokens, total.outputTokens, total.usdSource], [360, 90, 'estimated']);
    const gemini = new UsageMeter('process');
    gemini.add({ inputTokens: 240, outputTokens: 60 });
    gemini.closeProcess();
    gemini.add({ inputTokens: 120, outputTokens: 30 });
    assert.equal(gemini.total(DEFAULT_PRICES, 'gemini', undefined).inputTokens, 360);
  });
});

describe('what a kill says it stopped', () => {
  it('names the pid and its tree; a run killed in line never started; a container run has no pid of its own', () => {
    assert.equal(formatKilled({ status: 'running' }, 123), '(pid 123) and its process tree');
    assert.equal(formatKilled({ status: 'queued', pool: 'gpu' }, undefined), 'before its agent started (it left the line of pool gpu)');
    assert.equal(formatKilled({ status: 'running', container: { backend: 'docker', endpoint: 'unix:///var/run/docker.sock' } }, undefined), 'and its container');
  });
});
