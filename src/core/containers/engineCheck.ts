/**
 * Doctor's look at the container engines runs can go to: the one `--backend docker` uses
 * (DOCKER_HOST, else the local socket) and each Docker context the settings name (`containers.contexts`,
 * and pools named after a backend, `docker:<context>`). For each: does it answer, which version, is
 * the agent image there, is it a swarm node (for `--backend swarm`), and what to do when not. Quick:
 * an engine that does not answer in 2 s is said so (over ssh, 20 s: the first request logs in).
 */
import { errorMessage, SwitchboardError } from '../errors';
import { backendOfPool } from '../pools/pools';
import { DEFAULT_DOCKER_HOST, DockerApi, parseDockerHost } from './dockerApi';
import { dockerContexts } from './dockerContexts';
import { parseBackend, type ContainersConfig } from './containerPlan';

export interface EngineCheck {
  /** `docker` (DOCKER_HOST, else the local socket) or `docker:<context>`. */
  backend: string;
  /** unix://, tcp:// or ssh://; empty for a context that was not found. */
  endpoint: string;
  version?: string;
  /** The `containers.image` setting, and whether the engine has it. */
  image: string;
  imagePresent?: boolean;
  /** `active` on a swarm node (manager or worker), else `inactive`. */
  swarm?: string;
  problem?: string;
  /** What to do about an engine that cannot be reached. */
  hint?: string;
}

export async function checkEngine(endpoint: string, image: string, sshArgs: readonly string[] = [], backend = 'docker'): Promise<EngineCheck> {
  try {
    const api = new DockerApi(parseDockerHost(endpoint, sshArgs));
    const quick = endpoint.startsWith('ssh://') ? 20_000 : 2000;
    const version = await api.request<{ Version?: string; ApiVersion?: string }>('GET', '/version', undefined, quick);
    if (version.status !== 200) return { backend, endpoint, image, problem: `the engine answered ${version.status}`, hint: 'Check that the endpoint is a Docker engine.' };
    const [inspected, info] = await Promise.all([
      api.request('GET', `/images/${encodeURIComponent(image)}/json`, undefined, quick),
      api.request<{ Swarm?: { LocalNodeState?: string } }>('GET', '/info', undefined, Math.max(quick, 5000)),
    ]);
    const imagePresent = inspected.status === 200;
    return {
      backend,
      endpoint,
      version: `${version.body.Version} (API ${version.body.ApiVersion})`,
      image,
      imagePresent,
      swarm: info.body.Swarm?.LocalNodeState || 'inactive',
      ...(imagePresent ? {} : { problem: `the image ${image} is not there: build it with \`npm run docker-image\`, or set containers.image to one of your own` }),
    };
  } catch (error) {
    if (error instanceof SwitchboardError) return { backend, endpoint, image, problem: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    return { backend, endpoint, image, problem: errorMessage(error) };
  }
}

/** The Docker contexts the settings name: `containers.contexts`, then those of pools named after a backend (`docker:build-box`), each once. */
export function configuredContexts(containers: Pick<ContainersConfig, 'contexts'>, poolNames: readonly string[]): string[] {
  const fromPools = poolNames.flatMap((pool) => {
    try {
      return [parseBackend(backendOfPool(pool)).context ?? ''];
    } catch {
      return [];
    }
  });
  return [...new Set([...(containers.contexts ?? []), ...fromPools].filter(Boolean))];
}

/** The engine of `--backend docker` and that of each context the settings name, checked at once. */
export async function checkEngines(containers: ContainersConfig, poolNames: readonly string[], env: NodeJS.ProcessEnv): Promise<EngineCheck[]> {
  const names = configuredContexts(containers, poolNames);
  const known = names.length ? await dockerContexts(env) : [];
  return Promise.all([
    checkEngine(env.DOCKER_HOST || DEFAULT_DOCKER_HOST, containers.image, containers.sshArgs),
    ...names.map((name) => {
      const backend = `docker:${name}`;
      const context = known.find((c) => c.name === name);
      if (!context) {
        return { backend, endpoint: '', image: containers.image, problem: `there is no Docker context named ${name}`, hint: `Make it with \`docker context create ${name} --docker host=ssh://user@host\` (or tcp://…), or take it out of the settings.` };
      }
      return checkEngine(context.endpoint, containers.image, containers.sshArgs, backend);
    }),
  ]);
}

/** One line for Doctor: the engine, reachable or not, its version, whether the image is there, and what to do when something is wrong. */
export function engineLine(engine: EngineCheck): string {
  const where = `container engine ${engine.backend}${engine.endpoint ? ` (${engine.endpoint})` : ''}`;
  if (!engine.version) return `${where}: not reachable: ${engine.problem ?? 'no reason given'}${engine.hint ? ` — ${engine.hint}` : ''}`;
  return `${where}: reachable, Docker ${engine.version}, swarm ${engine.swarm}, image ${engine.image} ${engine.imagePresent ? 'present' : `missing — ${engine.problem}`}`;
}
