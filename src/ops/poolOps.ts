/** The pool tools: who runs and who waits in each pool, and cleaning up after processes that died. */
import { z } from 'zod';
import { defineOperation } from './operation';

const count = z.number();

const poolsStatus = defineOperation({
  name: 'pools_status',
  title: 'Pools status',
  description: 'Admission pools: for each, its limit, the runs holding a slot, the runs waiting in line (oldest first), and how many were admitted, queued and refused; plus the limit over all pools.',
  input: z.strictObject({}),
  output: z.object({
    max_workers: count,
    running: count,
    waiting: count,
    pools: z.array(z.object({ name: z.string(), max_workers: count, running: z.array(z.string()), waiting: z.array(z.string()), admitted: count, queued: count, rejected: count })),
  }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const s = await ctx.sb.runs.poolsStatus();
    return {
      structured: { max_workers: s.maxWorkers, running: s.running, waiting: s.waiting, pools: s.pools.map(({ maxWorkers, ...p }) => ({ ...p, max_workers: maxWorkers })) },
      summary: `${s.running}/${s.maxWorkers} running, ${s.waiting} waiting; ${s.pools.map((p) => `${p.name} ${p.running.length}/${p.maxWorkers}${p.waiting.length ? ` (+${p.waiting.length} waiting)` : ''}`).join(', ')}.`,
    };
  },
});

const poolsCleanup = defineOperation({
  name: 'pools_cleanup',
  title: 'Clean up pools',
  description: 'Frees the slots of runs that ended or vanished and removes places in line whose process is gone.',
  input: z.strictObject({}),
  output: z.object({ freed_slots: z.array(z.string()), removed_from_line: z.array(z.string()) }),
  annotations: { destructiveHint: false, idempotentHint: true },
  async handle(_args, ctx) {
    const { slots, queue } = await ctx.sb.runs.poolsCleanup();
    return { structured: { freed_slots: slots, removed_from_line: queue }, summary: `Freed ${slots.length} slot(s); removed ${queue.length} place(s) in line.` };
  },
});

export const POOL_OPS = [poolsStatus, poolsCleanup];
