/**
 * Run Agent's choice of where the agent runs: this machine, or a container (Docker, a Docker
 * context, a swarm). Asked only when container runs are configured (a `switchboard.containers.*`
 * setting, DOCKER_HOST or a Docker context); otherwise the run is local without a question.
 */
import * as vscode from 'vscode';
import { backendChoices, type BackendChoice } from '../../core/containers/backendChoices';
import type { Services } from '../services';
import { containersConfigured } from '../settings';

/** The choices, looked for (in the background while the earlier steps are answered). */
export function lookForBackends(services: Services): Promise<BackendChoice[]> {
  return backendChoices(services.settings().config.containers, process.env, containersConfigured()).catch(() => []);
}

/** The backend picked (`local` when there is nothing else); undefined when given up. */
export async function askBackend(choices: Promise<BackendChoice[]>, title: string): Promise<string | undefined> {
  const found = await choices;
  if (found.length <= 1) return 'local';
  const picked = await vscode.window.showQuickPick(
    found.map((choice) => ({ label: choice.label, description: choice.backend, detail: choice.detail, backend: choice.backend })),
    { title, placeHolder: 'Where should the agent run?', ignoreFocusOut: true },
  );
  return picked?.backend;
}
