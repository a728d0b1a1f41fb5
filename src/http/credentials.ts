/**
 * The MCP server's secret and where it was last reachable, kept owner-only in the state directory:
 * `mcp/token` (random, made once, reused so copied client configurations keep working) and
 * `mcp/endpoint.json` (the address, the port to try again next time, and the serving process).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSameProcessAlive } from '../core/proc/processTable';
import type { ProcessIdentity } from '../core/runs/types';
import { ensureFolder } from '../core/state/stateDir';
import { StateMap } from '../core/state/stateMap';
import { readJsonFile, writeJsonAtomic, writeTextAtomic } from '../core/store/atomicFile';

export interface Endpoint {
  version: 1;
  url: string;
  port: number;
  /** The serving process; the endpoint is live only while this very process is. */
  server: ProcessIdentity;
  startedAt: number;
}

export const tokenFile = (stateDir: string): string => new StateMap(stateDir).mcpToken;
export const endpointFile = (stateDir: string): string => new StateMap(stateDir).mcpEndpoint;

function ensureDir(stateDir: string): void {
  const dir = path.dirname(tokenFile(stateDir));
  ensureFolder(dir);
  fs.chmodSync(dir, 0o700);
}

/** The bearer token, created (owner-only) on first use. A token file anyone else can read is replaced. */
export function loadOrCreateToken(stateDir: string): string {
  ensureDir(stateDir);
  const file = tokenFile(stateDir);
  try {
    const stat = fs.statSync(file);
    const token = fs.readFileSync(file, 'utf8').trim();
    if ((stat.mode & 0o077) === 0 && /^[A-Za-z0-9_-]{32,}$/.test(token)) return token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = crypto.randomBytes(32).toString('base64url');
  writeTextAtomic(file, `${token}\n`);
  return token;
}

/** Compares a presented token with the real one in constant time. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (!presented) return false;
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

export function readEndpoint(stateDir: string): Endpoint | undefined {
  const read = readJsonFile<Endpoint>(endpointFile(stateDir), (v) => (typeof (v as Endpoint)?.url === 'string' && typeof (v as Endpoint)?.port === 'number' ? undefined : 'not an endpoint'));
  return read.kind === 'ok' ? read.value : undefined;
}

export function writeEndpoint(stateDir: string, endpoint: Endpoint): void {
  ensureDir(stateDir);
  writeJsonAtomic(endpointFile(stateDir), endpoint, { durable: false });
}

/** The endpoint of a server that is serving now, if one is. */
export function liveEndpoint(stateDir: string): Endpoint | undefined {
  const endpoint = readEndpoint(stateDir);
  return endpoint && isSameProcessAlive(endpoint.server) ? endpoint : undefined;
}
