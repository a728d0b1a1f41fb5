/**
 * Redaction speed: what a run's supervisor spends redacting. Prints throughput of redacting plain
 * agent output (the redacted copy, whole lines as they come) and parsed events (every string of each
 * event), over 20 MB with a secret every ~200 lines, against reading the same text with no rules.
 */
import { performance } from 'node:perf_hooks';
import { Redactor } from '../src/core/redact';
import { StreamRedactor } from '../src/core/redactStream';
import { mbPerSecond, median, runBench } from './support';

const LINES = 200_000;
const REPS = 3;

function output(): string {
  const out: string[] = [];
  for (let i = 0; i < LINES; i++) {
    if (i % 200 === 0) out.push(`export OPENAI_API_KEY=sk-proj-${String(i).padStart(40, 'x')} # key ${i}`);
    else if (i % 200 === 100) out.push(`postgres://app:pw${i}secret@db:5432/app and AKIA${String(i).padStart(16, '0')}`);
    else out.push(`src/module${i % 97}.ts:${i}: const value = compute(input, { retries: ${i % 7}, label: "step ${i}" }); // ok`);
  }
  return `${out.join('\n')}\n`;
}

function time(work: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return median(times);
}

runBench(async () => {
  const text = output();
  const bytes = Buffer.byteLength(text);
  const all = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += 64 * 1024) chunks.push(all.subarray(at, at + 64 * 1024));
  let placeholders = 0;
  const streamMs = time(() => {
    const stream = new StreamRedactor(new Redactor({ secrets: ['a-literal-secret-value'] }), (piece) => (placeholders += piece.toString().split('<<REDACTED_').length - 1));
    for (const chunk of chunks) stream.push(chunk);
    stream.end();
  });
  const events = text.split('\n').slice(0, 50_000).map((line, i) => (i % 3 === 0 ? { type: 'tool_call', name: 'Bash', input: { command: line, cwd: '/work' } } : { type: 'text', text: line }));
  const eventBytes = Buffer.byteLength(JSON.stringify(events));
  const eventMs = time(() => {
    const redactor = new Redactor();
    for (const event of events) redactor.value(event);
  });
  const splitMs = time(() => void text.split('\n').length);
  console.log(`plain output, 64 KiB reads, whole lines redacted: ${mbPerSecond(bytes, streamMs).toFixed(1)} MB/s (${(bytes / 1e6).toFixed(1)} MB in ${streamMs.toFixed(0)} ms, ${placeholders / REPS} placeholders a pass)`);
  console.log(`parsed events, every string: ${mbPerSecond(eventBytes, eventMs).toFixed(1)} MB/s (${events.length} events, ${(eventBytes / 1e6).toFixed(1)} MB in ${eventMs.toFixed(0)} ms)`);
  console.log(`for scale, splitting the same text into lines: ${mbPerSecond(bytes, splitMs).toFixed(0)} MB/s`);
});
