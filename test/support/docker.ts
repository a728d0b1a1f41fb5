/**
 * Docker for the container tests: the engine and the agent image as scripts/setupDocker.mjs leaves
 * them (set up once, cached), the containers a state folder's runs made, and their removal.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DockerApi, parseDockerHost, query } from '../../src/core/containers/dockerApi';
import { STATE_LABEL } from '../../src/core/containers/containerAgent';
import { ROOT } from './harness';
import { DEFAULT_CONTAINERS, type ContainersConfig } from '../../src/core/containers/containerPlan';

export interface DockerSetup {
  ok: boolean;
  image?: string;
  reason?: string;
}

let setup: DockerSetup | undefined;

/** Sets Docker up (installs, starts the daemon, builds the image; cached) once per test process. */
export function dockerSetup(): DockerSetup {
  setup ??= JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'setupDocker.mjs'), '--clis', 'claude', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000 }).trim().split('\n').pop()!) as DockerSetup;
  return setup;
}

export const docker = (): DockerApi => new DockerApi(parseDockerHost(process.env.DOCKER_HOST || 'unix:///var/run/docker.sock'));

/** The ids of the containers (running or not) of a state folder's runs. */
export async function containersOf(stateDir: string): Promise<string[]> {
  const listed = await docker().call<{ Id: string }[]>('GET', `/containers/json${query({ all: 1, filters: { label: [`${STATE_LABEL}=${stateDir}`] } })}`);
  return listed.map((c) => c.Id);
}

/** The names of the volumes of a state folder's runs (copy mode's). */
export async function volumesOf(stateDir: string): Promise<string[]> {
  const listed = await docker().call<{ Volumes: { Name: string }[] | null }>('GET', `/volumes${query({ filters: { label: [`${STATE_LABEL}=${stateDir}`] } })}`);
  return listed.Volumes?.map((v) => v.Name) ?? [];
}

/** Removes whatever containers a state folder's runs left. */
export async function removeContainersOf(stateDir: string): Promise<void> {
  for (const id of await containersOf(stateDir)) await docker().request('DELETE', `/containers/${id}${query({ force: 1 })}`);
}

/**
 * Removes whatever containers and volumes a state folder's runs left. A volume goes only once no
 * container holds it, and a container being removed (its archive still being read when its run's
 * host was killed) may hold it a moment longer: tried again for a few seconds.
 */
export async function removeDockerLeftovers(stateDir: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await removeContainersOf(stateDir);
    for (const volume of await volumesOf(stateDir)) await docker().request('DELETE', `/volumes/${volume}`);
    if ((await volumesOf(stateDir)).length === 0 || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The bridge network's gateway: the host's address as containers on it reach it. */
export async function bridgeGateway(): Promise<string> {
  const bridge = await docker().call<{ IPAM: { Config: { Gateway?: string; Subnet?: string }[] } }>('GET', '/networks/bridge');
  // The default bridge may name only its subnet: its gateway is then the subnet's first address (docker0's).
  const config = bridge.IPAM.Config.find((c) => c.Gateway || c.Subnet?.includes('.'));
  const gateway = config?.Gateway ?? config?.Subnet?.replace(/\.\d+\/\d+$/, '.1');
  if (!gateway) throw new Error('the docker bridge network has no gateway');
  return gateway;
}

/** The containers settings of a test: the suite's image, bridge networking, nothing of the environment passed in; `more` on top. */
export function testContainers(more: Partial<ContainersConfig> = {}): ContainersConfig {
  return { ...DEFAULT_CONTAINERS, image: dockerSetup().image!, network: 'bridge', env: [], files: [], ...more };
}
