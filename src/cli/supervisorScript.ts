/** The supervisor host script of this build, beside the CLI's bundles (dist/supervisor.js). */
import * as path from 'node:path';

export const SUPERVISOR_SCRIPT = path.join(__dirname, 'supervisor.js');
