#!/usr/bin/env node
// The team e2e's agent: test/fixtures/gitWorker.mjs with the arguments it was given, plus
// `--sleep N` when its prompt asks for it with "(sleep N)" (in a task title or the goal), so one
// custom command serves both quick and slow teams. Its exit is the worker's; a signal ends both.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'gitWorker.mjs');
const args = process.argv.slice(2);
const sleep = /\(sleep (\d+)\)/.exec(args.at(-1) ?? '')?.[1];
const child = spawn(process.execPath, [worker, ...(sleep ? ['--sleep', sleep] : []), ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
