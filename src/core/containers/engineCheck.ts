/**
 * Doctor's look at a container engine: does it answer, which version, is the agent image there, is
 * it a swarm manager (for `--backend swarm`). Quick: an engine that does not answer in 2 s is said so
 * (over ssh, 20 s: each request logs in first).
 */
import { errorMessage } from '../errors';
import { DockerApi, parseDockerHost } from './dockerApi';

export interface EngineCheck {
  endpoint: string;
  version?: string;
  /** The `containers.image` setting, and whether the engine has it. */
  image: string;
  imagePresent?: boolean;
  /** `active` on a swarm node (manager or worker), else `inactive`. */
  swarm?: string;
  problem?: string;
}

export async function checkEngine(endpoint: string, image: string, sshArgs: readonly string[] = []): Promise<EngineCheck> {
  try {
    const api = new DockerApi(parseDockerHost(endpoint, sshArgs));
    const quick = endpoint.startsWith('ssh://') ? 20_000 : 2000;
    const version = await api.request<{ Version?: string; ApiVersion?: string }>('GET', '/version', undefined, quick);
    if (version.status !== 200) return { endpoint, image, problem: `the engine answered ${version.status}` };
    const [inspected, info] = await Promise.all([
      api.request('GET', `/images/${encodeURIComponent(image)}/json`, undefined, quick),
      api.request<{ Swarm?: { LocalNodeState?: string } }>('GET', '/info', undefined, Math.max(quick, 5000)),
    ]);
    const imagePresent = inspected.status === 200;
    return {
      endpoint,
      version: `${version.body.Version} (API ${version.body.ApiVersion})`,
      image,
      imagePresent,
      swarm: info.body.Swarm?.LocalNodeState || 'inactive',
      ...(imagePresent ? {} : { problem: `the image ${image} is not there: build it with \`npm run docker-image\`, or set containers.image to one of your own` }),
    };
  } catch (error) {
    return { endpoint, image, problem: errorMessage(error) };
  }
}

/** One line for Doctor. */
export function engineLine(engine: EngineCheck): string {
  if (!engine.version) return `container engine: ${engine.endpoint}: ${engine.problem ?? 'not answering'}`;
  return `container engine: ${engine.endpoint}, Docker ${engine.version}, swarm ${engine.swarm}, image ${engine.image} ${engine.imagePresent ? 'present' : `missing (${engine.problem})`}`;
}
