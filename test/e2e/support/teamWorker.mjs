#!/usr/bin/env node
// The team e2e's agent: test/fixtures/gitWorker.mjs with the arguments it was given, plus
// `--sleep N` when its prompt asks for it with "(sleep N)" (in a task title or the goal), and
// `--toggle FILE` with "(toggle FILE)" (agents that undo each other's change), so one custom command
// serves quick, slow and circling teams. Its exit is the worker's; a signal ends both.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'gitWorker.mjs');
const args = process.argv.slice(2);
const prompt = args.at(-1) ?? '';
const sleep = /\(sleep (\d+)\)/.exec(prompt)?.[1];
const toggle = /\(toggle ([^)\s]+)\)/.exec(prompt)?.[1];
const child = spawn(process.execPath, [worker, ...(sleep ? ['--sleep', sleep] : []), ...(toggle ? ['--toggle', toggle] : []), ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
