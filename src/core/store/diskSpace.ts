/**
 * Free space where the state folder is, and the reserve that makes a full disk survivable: a file
 * of RESERVE_BYTES kept in the state folder and given up the moment a record cannot be written for
 * want of space, so that runs can still be recorded as ended (failed: disk full) while the disk
 * stays full. It is made again when a Switchboard opens the folder and there is room.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderInPlace } from './atomicFile';

export const RESERVE_BYTES = 512 * 1024;
/** Below this much free space the disk is full for our purposes: an agent's output is being lost. */
export const DISK_FULL_BYTES = 64 * 1024;
/** Below this, Doctor, the status bar and `switchboard doctor` warn. */
export const LOW_DISK_BYTES = 1024 * 1024 * 1024;

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** What the file system holding `dir` has left for this user; undefined where it cannot be asked. */
export function diskSpace(dir: string): DiskSpace | undefined {
  try {
    const s = fs.statfsSync(dir);
    // A file system that reports no size at all (some virtual and network ones) says nothing about its space.
    if (s.blocks === 0) return undefined;
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

export function isNoSpace(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function isDiskFull(dir: string): boolean {
  const space = diskSpace(dir);
  return space !== undefined && space.freeBytes < DISK_FULL_BYTES;
}

/** Makes the reserve if it is missing and the disk has room for it and more; never fails. */
export function ensureReserve(file: string): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw folderInPlace(file);
  if (stat && stat.size >= RESERVE_BYTES) return;
  const space = diskSpace(path.dirname(file));
  if (!space || space.freeBytes < 2 * RESERVE_BYTES) return;
  try {
    // Written, not sparse: the blocks must really be taken to be given back.
    fs.writeFileSync(file, Buffer.alloc(RESERVE_BYTES), { mode: 0o600 });
  } catch {
    fs.rmSync(file, { force: true });
  }
}

/** Gives the reserve up; true when there was one to give. */
export function releaseReserve(file: string): boolean {
  try {
    fs.rmSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs `write`; when it fails for want of space, gives up the reserve and tries once more. */
export function withReserve<T>(reserve: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (!isNoSpace(error) || !releaseReserve(reserve)) throw error;
    return write();
  }
}

/** Free space of the state folder's disk, and a warning when it runs low (what to do included). */
export interface DiskCheck extends DiskSpace {
  warning?: string;
}

export function checkDisk(stateDir: string): DiskCheck | undefined {
  const space = diskSpace(stateDir);
  if (!space) return undefined;
  if (space.freeBytes >= LOW_DISK_BYTES) return space;
  const full = space.freeBytes < DISK_FULL_BYTES;
  return {
    ...space,
    warning: `${full ? 'the disk of the state folder is full' : `only ${formatBytes(space.freeBytes)} left on the disk of the state folder`} (${stateDir}): ${full ? 'running agents are stopped as failed (disk full)' : 'agents will be stopped as failed when it is full'}; free some space, or point SWITCHBOARD_HOME (switchboard.stateDirectory) at a bigger disk.`,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}
