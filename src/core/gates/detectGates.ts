/**
 * The gates a workspace has, found in its files, each with the reason it was found:
 * - package.json scripts `test`, `typecheck`, `lint`, `build`: `npm test`, `npm run <script>` (pnpm
 *   or yarn when their lockfile, or the `packageManager` field, says so); npm's placeholder test
 *   script ("no test specified") is not a test;
 * - Cargo.toml: `cargo test`; go.mod: `go test ./...`; a Makefile with a `test:` target: `make test`;
 * - pytest (pyproject.toml with [tool.pytest…], pytest.ini, setup.cfg [tool:pytest], tox.ini [pytest],
 *   or conftest.py, or Python files in tests/): `pytest`.
 * Required (the work is not good unless they pass): tests and type checks, which say whether the
 * code is right. Optional: lint (style, which an agent should not loop on) and build (in a package
 * with tests or a type check it mostly repeats them, and may need what a worktree lacks); a build
 * is required when it is the package's only check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import type { GateSpec } from './gate';

export interface DetectedGate extends GateSpec {
  command: string;
  required: boolean;
  reason: string;
}

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const gate = (command: string, required: boolean, reason: string): DetectedGate => ({ name: command, command, required, reason });

const LOCKFILES: [file: string, manager: string][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

/** Which package manager runs the scripts, and why. */
function packageManager(dir: string, pkg: { packageManager?: unknown }): { manager: string; why: string } {
  const lock = LOCKFILES.find(([file]) => fs.existsSync(path.join(dir, file)));
  if (lock) return { manager: lock[1], why: `, run with ${lock[1]} (${lock[0]})` };
  const declared = typeof pkg.packageManager === 'string' ? /^(npm|pnpm|yarn)@/.exec(pkg.packageManager)?.[1] : undefined;
  if (declared) return { manager: declared, why: `, run with ${declared} (its "packageManager" field)` };
  return { manager: 'npm', why: '' };
}

function packageGates(dir: string): DetectedGate[] {
  const text = read(path.join(dir, 'package.json'));
  let pkg: { scripts?: Record<string, unknown>; packageManager?: unknown };
  try {
    pkg = text === undefined ? {} : (JSON.parse(text) as typeof pkg);
  } catch {
    return [];
  }
  const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? pkg.scripts : {};
  const has = (name: string): boolean => typeof scripts[name] === 'string' && !(name === 'test' && /no test specified/.test(scripts[name] as string));
  const { manager, why } = packageManager(dir, pkg);
  const checked = has('test') || has('typecheck');
  const wanted: [script: string, required: boolean][] = [['test', true], ['typecheck', true], ['lint', false], ['build', !checked]];
  return wanted
    .filter(([script]) => has(script))
    .map(([script, required]) => gate(script === 'test' ? `${manager} test` : `${manager} run ${script}`, required, `package.json has a "${script}" script${why}`));
}

function pytestReason(dir: string): string | undefined {
  const at = (file: string): string => read(path.join(dir, file)) ?? '';
  const section = /^\[tool\.pytest[.\]][^\n]*/m.exec(at('pyproject.toml'));
  if (section) return `pyproject.toml has ${section[0].trim()}`;
  if (fs.existsSync(path.join(dir, 'pytest.ini'))) return 'pytest.ini';
  if (/^\[tool:pytest\]/m.test(at('setup.cfg'))) return 'setup.cfg has [tool:pytest]';
  if (/^\[pytest\]/m.test(at('tox.ini'))) return 'tox.ini has [pytest]';
  if (fs.existsSync(path.join(dir, 'conftest.py'))) return 'conftest.py';
  for (const folder of ['tests', 'test']) if (holdsPython(path.join(dir, folder), 2)) return `${folder}/ holds Python files`;
  return undefined;
}

function holdsPython(dir: string, depth: number): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((e) => (e.isFile() && e.name.endsWith('.py')) || (e.isDirectory() && depth > 1 && !e.name.startsWith('.') && holdsPython(path.join(dir, e.name), depth - 1)));
}

function makeReason(dir: string): string | undefined {
  for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
    if (/^test\s*:(?!=)/m.test(read(path.join(dir, name)) ?? '')) return `${name} has a "test" target`;
  }
  return undefined;
}

/** The gates found in `workspace`, in the order they run: its package's scripts, then Rust, Python, Go and make. */
export function detectGates(workspace: string): DetectedGate[] {
  if (!fs.statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) {
    throw new SwitchboardError('bad_cwd', `The folder ${workspace} does not exist.`, 'Give the workspace folder (--cwd DIR).');
  }
  const found = packageGates(workspace);
  if (fs.existsSync(path.join(workspace, 'Cargo.toml'))) found.push(gate('cargo test', true, 'Cargo.toml'));
  const pytest = pytestReason(workspace);
  if (pytest) found.push(gate('pytest', true, pytest));
  if (fs.existsSync(path.join(workspace, 'go.mod'))) found.push(gate('go test ./...', true, 'go.mod'));
  const make = makeReason(workspace);
  if (make) found.push(gate('make test', true, make));
  return found;
}
