/** Finds an agent CLI the way a shell would (PATH), and says where it looked when it is not there. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type BinaryLookup = { found: true; path: string } | { found: false; lookedIn: string[] };

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBinary(binary: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): BinaryLookup {
  if (binary.includes('/') || binary.includes(path.sep)) {
    const full = path.resolve(cwd, binary);
    return isExecutable(full) ? { found: true, path: full } : { found: false, lookedIn: [full] };
  }
  // Each folder once: a PATH often names one twice (profiles that prepend it again), and the message lists them.
  const dirs = [...new Set((env.PATH ?? '').split(path.delimiter).filter(Boolean))];
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, binary + ext);
      if (isExecutable(candidate)) return { found: true, path: candidate };
    }
  }
  return { found: false, lookedIn: dirs };
}
