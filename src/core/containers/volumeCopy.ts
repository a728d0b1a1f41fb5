/**
 * Copy mode of a container run (`containers.copyWorktree`): the run's worktree lives in a Docker
 * volume of its own on the engine's machine. Before each container starts, the run's home and (the
 * first time) the worktree are uploaded into it; when the run ends, the worktree is brought back and
 * applied here (worktreeCopy.ts), and the volume goes only once all of it came back.
 */
import * as fs from 'node:fs';
import { errorMessage } from '../errors';
import type { ContainerPlan, WorktreeCopyPlan } from './containerPlan';
import { query, type DockerApi } from './dockerApi';
import { describeApplied, packFolderAs, packFolders, WorktreeApplier, type Applied, type Manifest } from './worktreeCopy';

/** On a container made only to copy a run's worktree back from its volume (not the run's label: a take-over never finds it). */
export const COPY_LABEL = 'switchboard.copyOf';
/** How long the download of a copied worktree may bring nothing before it counts as failed. */
const COPY_STALL_MS = 60_000;

/** What the copy needs of its run: its id and state folder (and the label naming the folder), its labels, where its home goes in the container. */
export interface CopyRun {
  runId: string;
  stateDir: string;
  stateLabel: string;
  labels: Record<string, string>;
  home: string;
}

export class VolumeCopy {
  constructor(
    private readonly api: DockerApi,
    private readonly plan: ContainerPlan,
    private readonly copy: WorktreeCopyPlan,
    private readonly run: CopyRun,
  ) {}

  /** The list of files uploaded into the volume, once the upload was whole (without it nothing is copied back). */
  uploaded(): Manifest | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.copy.manifest, 'utf8')) as Manifest;
    } catch {
      return undefined;
    }
  }

  /** Before the container is made: the run's volume, made unless it is there. */
  async prepare(): Promise<void> {
    const name = this.copy.volume;
    if ((await this.api.request('GET', `/volumes/${encodeURIComponent(name)}`)).status === 200) return;
    // Its worktree was uploaded into it before (a steered run's next container): made again it would be
    // empty, the agent would work in an empty folder, and the copy back would read everything as deleted.
    if (this.uploaded()) throw new Error(`its volume ${name}, which held its worktree, is gone (removed outside Switchboard): start a new run`);
    await this.api.call('POST', '/volumes/create', { Name: name, Labels: this.run.labels }, 'create the run\'s volume');
  }

  /**
   * Uploads the worktree into the run's volume and the git folder a worktree needs into the
   * container, at the same paths, before it starts; a steered run's next container, whose volume
   * has the worktree already, gets only the git folder. The list of what was uploaded is kept once
   * the upload is whole: without it nothing is copied back.
   */
  async upload(id: string): Promise<void> {
    const copy = this.copy;
    // The run's home, owned by the agent's user as it is here (a bind would make it empty, and root's, on the engine's machine).
    fs.mkdirSync(this.plan.home, { recursive: true, mode: 0o700 });
    await this.api.send('PUT', `/containers/${id}/archive${query({ path: '/' })}`, packFolderAs(this.plan.home, this.run.home), 'application/x-tar', 'copy the run\'s home into the container');
    const fresh = !this.uploaded();
    if (!fresh && this.plan.mounts.length < 2) return;
    const { stream, manifest } = packFolders(this.plan.mounts, fresh);
    await this.api.send('PUT', `/containers/${id}/archive${query({ path: '/' })}`, stream, 'application/x-tar', 'copy the worktree into the container');
    if (fresh) fs.writeFileSync(copy.manifest, JSON.stringify(manifest), { mode: 0o600 });
  }

  /**
   * Copies the volume's worktree back into the local one (what was written, changed, or deleted of
   * what was uploaded); says what it did. From the run's container, or where that is gone (removed
   * behind Switchboard's back, a steered run's next one not made) from one made for it, never started.
   * `stop` ends the download (and the container made for it goes).
   */
  private async copyBack(manifest: Manifest, own: string | undefined, stop: AbortSignal | undefined): Promise<Applied> {
    const copy = this.copy;
    const top = this.plan.mounts[0]!;
    // A volume that is gone would be made again, empty: everything would read as deleted.
    if ((await this.api.request('GET', `/volumes/${encodeURIComponent(copy.volume)}`)).status !== 200) throw new Error(`its volume ${copy.volume} is gone`);
    const applier = new WorktreeApplier(top, manifest);
    // Its own container's archive, else (gone, or going) that of one made for it.
    const archive = own ? await this.api.stream('GET', `/containers/${own}/archive${query({ path: top })}`, stop).catch(() => undefined) : undefined;
    if (archive) return this.apply(archive, applier);
    // Stopped: no container is made to copy from.
    if (stop?.aborted) throw new Error(`stopped by ${String(stop.reason)}`);
    const made = await this.api.call<{ Id: string }>(
      'POST',
      `/containers/create${query({ name: `sb-${this.run.runId}-copy-${Date.now().toString(36)}` })}`,
      { Image: this.plan.image, Cmd: ['true'], Labels: { [this.run.stateLabel]: this.run.stateDir, [COPY_LABEL]: this.run.runId }, HostConfig: { Mounts: [{ Type: 'volume', Source: copy.volume, Target: top }] } },
      'make a container to copy the worktree from',
    );
    try {
      return await this.apply(await this.api.stream('GET', `/containers/${made.Id}/archive${query({ path: top })}`, stop), applier);
    } finally {
      await this.api.request('DELETE', `/containers/${made.Id}${query({ force: 1 })}`).catch(() => undefined);
    }
  }

  /** Applies a downloaded archive; what it did. */
  private async apply(archive: NodeJS.ReadableStream & { destroy(): void }, applier: WorktreeApplier): Promise<Applied> {
    await new Promise<void>((resolve, reject) => {
      // A download that stalls (an ssh connection gone quiet) fails the copy back: the volume stays.
      let stalled: NodeJS.Timeout | undefined;
      const quiet = (): void => {
        clearTimeout(stalled);
        stalled = setTimeout(() => {
          archive.destroy();
          reject(new Error(`the download of the worktree stalled (nothing for ${COPY_STALL_MS / 1000} s)`));
        }, COPY_STALL_MS);
      };
      quiet();
      archive.on('data', (chunk: Buffer) => {
        quiet();
        try {
          applier.push(chunk);
        } catch (error) {
          clearTimeout(stalled);
          archive.destroy();
          reject(error as Error);
        }
      });
      archive.on('end', () => {
        clearTimeout(stalled);
        resolve();
      });
      archive.on('error', (error) => {
        clearTimeout(stalled);
        reject(error);
      });
      // Ended without its end (its request stopped): after 'end' this changes nothing.
      archive.on('close', () => {
        clearTimeout(stalled);
        reject(new Error('the download of the worktree was cut short'));
      });
    });
    return applier.end();
  }

  /**
   * The end of the run: its worktree brought back from its container (`own`, or one made for it), said
   * with whether all of it came (else the volume must stay). Undefined when nothing was ever uploaded.
   * `stop`: aborted when a kill stops the copy-back, which then ends its download at once.
   */
  async bringBack(own: string | undefined, stop?: AbortSignal): Promise<{ said: string; ok: boolean } | undefined> {
    const manifest = this.uploaded();
    if (!manifest) return undefined;
    const { volume } = this.copy;
    try {
      const applied = await this.copyBack(manifest, own, stop);
      // What could not be applied (changed here meanwhile, a write that failed) is only in the volume: it stays.
      return applied.refused.length
        ? { said: `the worktree was copied back from volume ${volume} but for ${applied.refused.length} path(s), whose version from the agent is still in that Docker volume on ${this.plan.endpoint}: ${describeApplied(applied)}`, ok: false }
        : { said: `worktree copied back from volume ${volume}: ${describeApplied(applied)}`, ok: true };
    } catch (error) {
      return { said: `the worktree could not be copied back (${errorMessage(error)}): the agent's work is still in the Docker volume ${volume} on ${this.plan.endpoint}`, ok: false };
    }
  }

  async removeVolume(): Promise<void> {
    await this.api.request('DELETE', `/volumes/${encodeURIComponent(this.copy.volume)}`).catch(() => undefined);
  }
}
