/** Doctor: installed agent CLIs (path, version), the state folder, and what to do about anything missing. */
import { engineLine } from '../../core/containers/engineCheck';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../core/doctor';
import { formatBytes } from '../../core/store/diskSpace';
import { apiUrlOf } from '../../http/api/apiPath';
import type { ServerFacts } from '../../mcp/deps';
import type { Services } from '../services';

export const DOCTOR_URI = vscode.Uri.from({ scheme: 'switchboard-doctor', path: '/Switchboard Doctor.md' });

export function renderDoctor(report: DoctorReport, mcp: ServerFacts | undefined): string {
  const lines = ['# Switchboard Doctor', '', '| Runner | State | Version | Path |', '| --- | --- | --- | --- |'];
  for (const r of report.runners) {
    const state = !r.installed ? 'missing' : r.problem ? 'problem' : 'ok';
    lines.push(`| ${r.displayName} | ${state} | ${r.version ?? ''} | ${r.path ?? r.note ?? r.binary} |`);
  }
  const problems = report.runners.filter((r) => r.problem);
  if (problems.length) lines.push('', '## What to do', '', ...problems.map((r) => `- **${r.displayName}**: ${r.problem}`));
  lines.push('', '## State', '', `- State folder: \`${report.stateDir}\`${report.stateDirProblem ? ` — **${report.stateDirProblem}**` : ''}`);
  if (report.disk) lines.push(`- Free on its disk: ${formatBytes(report.disk.freeBytes)} of ${formatBytes(report.disk.totalBytes)}${report.disk.warning ? ` — **warning: ${report.disk.warning}**` : ''}`);
  lines.push(`- Extension host: Node ${report.node} (${report.platform})`);
  for (const engine of report.engines) lines.push(`- ${engineLine(engine).replace(/^container engine/, 'Container engine')}`);
  lines.push('', '## MCP server', '');
  if (!mcp?.url) lines.push('- Not started yet: it starts when VS Code chat, a Copy MCP Configuration command or an agent needs it.');
  else {
    lines.push(`- Address: \`${mcp.url}\` (bearer token in \`${report.stateDir}/mcp/token\`; Copy MCP Configuration puts it in a client's snippet)`);
    lines.push(`- HTTP API: \`${apiUrlOf(mcp.url)}\` (same token; its OpenAPI document is \`${apiUrlOf(mcp.url)}/openapi.json\`)`);
    const clients = mcp.clients.map((c) => `${c.name}${c.version ? ` ${c.version}` : ''} (${c.transport})`);
    lines.push(`- Clients connected: ${clients.length ? clients.join(', ') : 'none'}`);
  }
  lines.push('', 'Runner paths and arguments are in the settings (Switchboard: Open Settings).');
  return lines.join('\n');
}

export class DoctorDocument implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private text = '# Switchboard Doctor\n\nChecking…';

  set(report: DoctorReport, mcp: ServerFacts | undefined): void {
    this.text = renderDoctor(report, mcp);
    this.changed.fire(DOCTOR_URI);
  }

  provideTextDocumentContent(): string {
    return this.text;
  }
}

export async function doctor(services: Services, page: DoctorDocument): Promise<void> {
  const report = await services.availability.get(true);
  page.set(report, services.mcp.facts());
  const doc = await vscode.workspace.openTextDocument(DOCTOR_URI);
  await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  await vscode.window.showTextDocument(doc, { preview: false });
  services.logger.info(`[doctor] ${report.runners.map((r) => `${r.runner}=${r.installed ? r.version ?? 'ok' : 'missing'}`).join(' ')}`);
}
