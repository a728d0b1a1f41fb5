/**
 * dist/supervisor.js, the script a registry starts a supervisor host with: runs the host bundle
 * (dist/supervisorBundle.js, built from supervisorMain.ts) from a V8 code cache (see codeCache.ts),
 * so that a cold run start does not wait for the bundle to be parsed.
 */
import * as path from 'node:path';
import { runBundle } from './codeCache';

// A host lives a minute or more: its cache is written once it has started its first agents.
runBundle(path.join(__dirname, 'supervisorBundle.js'), 'supervisor', { saveAfterMs: 3000 });
