/** The supervisor host script of this build, beside the CLI's bundles (dist/supervisor.js), and what the CLI's hosts are made with. */
import * as path from 'node:path';
import type { HostOptions } from '../core/registry/supervisorHost';

export const SUPERVISOR_SCRIPT = path.join(__dirname, 'supervisor.js');

/** A CLI process's supervisor host of the state folder: this build's script, run by this Node, its agents given this environment. */
export const cliHostOptions = (stateDir: string): HostOptions => ({ stateDir, supervisorScript: SUPERVISOR_SCRIPT, nodePath: process.execPath, env: process.env });
