/** A goal's diagnosis, recovery plan, rollback and checkpoints for people (the CLI's text and Markdown, VS Code's documents). */
import { table } from '../core/render';
import type { CheckpointsShape, DiagnosisShape, RecoveryShape, RollbackShape } from './recoveryShapes';

const heading = (text: string, md: boolean): string => (md ? `# ${text}` : text);

export function renderDiagnosis(d: DiagnosisShape, md: boolean): string {
  const p = d.diagnosis.primary;
  const w = d.metrics_window;
  const lines = [
    heading(`Diagnosis of ${d.goal_id}`, md),
    '',
    d.stagnant && p ? `Stagnant: ${p.kind} (confidence ${p.confidence}), since iteration ${p.since_iteration}.` : `Not stagnant${p ? ` (a hint of ${p.kind}, confidence ${p.confidence})` : ''}.`,
    ...(p ? [`${md ? '> ' : '  '}${p.evidence}`] : []),
    ...d.diagnosis.secondary.map((f) => `${md ? '- ' : '  also '}${f.kind} (${f.confidence}): ${f.evidence}`),
    '',
    `Recommended: ${d.recommended_action === 'none' ? 'nothing, let it go on' : d.recommended_action}${d.stagnant ? ` — see \`switchboard goal recover ${d.goal_id}\`` : ''}.`,
    `Affected: ${d.diagnosis.affected_metrics.join(', ') || 'nothing'}; window of ${w.window_size} iterations after ${w.warmup_iterations} of warm-up, evaluated ${w.evaluated_at}.`,
  ];
  return lines.join('\n');
}

export function renderRecovery(r: RecoveryShape, md: boolean): string {
  if (r.actions.length === 0) return `${heading(`Recovery of ${r.goal_id}`, md)}\n\nNothing to recover: the goal is not stagnant.`;
  return [
    heading(`Recovery of ${r.goal_id}${r.applied ? ' (applied)' : ''}`, md),
    '',
    `For ${r.diagnosis ?? 'stagnation'}: risk ${r.risk_level}, the next iteration likely ~$${r.estimated_cost_usd.toFixed(2)} and ~${r.estimated_tokens} tokens.`,
    '',
    ...r.actions.map((a, i) => `${md ? `${i + 1}.` : `  ${i + 1}.`} ${a.kind}${a.target ? ` ${a.target}` : ''}: ${a.description}`),
    ...(r.applied ? ['', `Done: ${r.results.join('; ')}. The goal is ${r.status}.`] : ['', `Apply it: switchboard goal recover ${r.goal_id} --apply`]),
  ].join('\n');
}

export function renderRollback(r: RollbackShape): string {
  const kept = r.abandoned_ref ? `The work after it is kept: git log ${r.abandoned_ref} (${r.abandoned_commit!.slice(0, 12)}).` : 'The branch was already there: nothing was left behind.';
  return [`${r.goal_id} rolled back to ${r.checkpoint.id} (iteration ${r.checkpoint.iteration}, ${r.restored_commit.slice(0, 12)}); it is ${r.status} at iteration ${r.iteration}.`, kept, ...(r.uncommitted_ref ? [`Changes nobody had committed are kept as a commit: ${r.uncommitted_ref}.`] : []), ...(r.reopened_discoveries.length ? [`Pending again (their tasks went with the rollback): ${r.reopened_discoveries.join(', ')}.`] : [])].join('\n');
}

export function renderCheckpoints(c: CheckpointsShape, md: boolean): string {
  if (c.checkpoints.length === 0) return `${c.goal_id} has no recovery checkpoint yet (one is made as each iteration starts).`;
  const rows = c.checkpoints.map((p) => [p.id, String(p.iteration), p.recorded_at.replace('T', ' ').slice(0, 19), p.commit.slice(0, 12), p.ref]);
  const body = md ? ['| checkpoint | iteration | recorded | commit | ref |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') : table(['CHECKPOINT', 'ITERATION', 'RECORDED', 'COMMIT', 'REF'], rows);
  const rollbacks = c.rollbacks.map((r) => `rolled back to ${r.to} at ${r.at}${r.abandoned_ref ? ` (left ${r.abandoned_ref})` : ''}`);
  return [heading(`Checkpoints of ${c.goal_id}`, md), ...(md ? [''] : []), body, ...(rollbacks.length ? ['', ...rollbacks] : [])].join('\n');
}
