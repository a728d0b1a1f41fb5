/**
 * The places a run can go, for a choice of backend (VS Code's Run Agent): this machine, always; the
 * engine at DOCKER_HOST (else the local socket) as `docker`, with whether it answers and has the
 * image, and `swarm` when that engine is a swarm node; each Docker context other than `default` as
 * `docker:<context>` (not dialled: an ssh:// one may take seconds). Offered only when container runs
 * are configured (`configured`: a `containers` setting is set, DOCKER_HOST is, or a context exists):
 * an engine that merely happens to run on the machine does not add a question to every run.
 */
import { DEFAULT_DOCKER_HOST } from './dockerApi';
import { dockerContexts, type DockerContext } from './dockerContexts';
import { checkEngine, type EngineCheck } from './engineCheck';
import type { ContainersConfig } from './containerPlan';

export interface BackendChoice {
  /** `local`, `docker`, `docker:<context>`, `swarm`. */
  backend: string;
  label: string;
  detail: string;
}

/** The choices from what was found (pure: tested without an engine). Only `local` when nothing is configured. */
export function choicesOf(engine: EngineCheck, contexts: readonly DockerContext[], configured: boolean): BackendChoice[] {
  const local: BackendChoice = { backend: 'local', label: 'This machine', detail: 'A process here, as always.' };
  if (!configured && contexts.length === 0) return [local];
  const state = engine.version ? `Docker ${engine.version}${engine.imagePresent ? '' : `; ${engine.problem}`}` : `does not answer: ${engine.problem ?? 'no reason given'}`;
  const choices = [local, { backend: 'docker', label: 'Docker', detail: `A container (image ${engine.image}) on ${engine.endpoint}: ${state}` }];
  for (const context of contexts) choices.push({ backend: `docker:${context.name}`, label: `Docker: ${context.name}`, detail: `A container on the context's engine, ${context.endpoint}` });
  if (engine.swarm === 'active') choices.push({ backend: 'swarm', label: 'Docker Swarm', detail: `A replicated-job service on the swarm of ${engine.endpoint}, placed on any node` });
  return choices;
}

/** The choices on this machine now. */
export async function backendChoices(config: ContainersConfig, env: NodeJS.ProcessEnv, configured: boolean): Promise<BackendChoice[]> {
  const contexts = await dockerContexts(env);
  const wanted = configured || !!env.DOCKER_HOST;
  if (!wanted && contexts.length === 0) return choicesOf({ backend: 'docker', endpoint: '', image: config.image }, [], false);
  return choicesOf(await checkEngine(env.DOCKER_HOST || DEFAULT_DOCKER_HOST, config.image, config.sshArgs), contexts, wanted);
}
