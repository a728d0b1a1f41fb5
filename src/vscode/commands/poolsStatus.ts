/** Pools Status: who runs and who waits in each admission pool, as a table in an untitled editor. */
import * as vscode from 'vscode';
import type { Services } from '../services';

export async function poolsStatus(services: Services): Promise<void> {
  const registry = services.switchboard().runs;
  const status = await registry.poolsStatus();
  const name = (id: string): string => registry.list().find((r) => r.id === id)?.name ?? id;
  const lines = [
    '# Switchboard pools',
    '',
    `All pools: ${status.running}/${status.maxWorkers} running, ${status.waiting} waiting.`,
    '',
    '| Pool | Running | In line (first first) | Admitted | Queued | Refused |',
    '| --- | --- | --- | --- | --- | --- |',
    ...status.pools.map((p) => `| ${p.name} | ${p.running.length}/${p.maxWorkers} ${p.running.map(name).join(', ')} | ${p.waiting.map(name).join(', ') || '—'} | ${p.admitted} | ${p.queued} | ${p.rejected} |`),
    '',
    'Limits are in the settings: switchboard.pools and switchboard.maxConcurrentAgents.',
  ];
  const doc = await vscode.workspace.openTextDocument({ content: lines.join('\n'), language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: true });
}
