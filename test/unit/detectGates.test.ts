/** Finding a workspace's gates in its files: package scripts (npm, pnpm, yarn), Cargo, pytest in each of its forms, Go, make. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectGates } from '../../src/core/gates/detectGates';
import { tempDir } from '../support/harness';

/** A temp workspace holding these files (`dir/` makes a folder). */
function workspace(files: Record<string, string>): string {
  const dir = tempDir('sb-detect-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    if (name.endsWith('/')) fs.mkdirSync(path.join(dir, name), { recursive: true });
    else fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const pkg = (scripts: Record<string, string>, more: object = {}): string => JSON.stringify({ name: 'x', scripts, ...more });
const brief = (dir: string) => detectGates(dir).map((g) => [g.name, g.required]);

describe('detectGates', () => {
  it('finds package.json scripts, tests and type checks required, lint and build optional', () => {
    const dir = workspace({ 'package.json': pkg({ build: 'tsc', lint: 'eslint .', test: 'mocha', typecheck: 'tsc --noEmit', start: 'node .' }) });
    assert.deepEqual(detectGates(dir), [
      { name: 'npm test', command: 'npm test', required: true, reason: 'package.json has a "test" script' },
      { name: 'npm run typecheck', command: 'npm run typecheck', required: true, reason: 'package.json has a "typecheck" script' },
      { name: 'npm run lint', command: 'npm run lint', required: false, reason: 'package.json has a "lint" script' },
      { name: 'npm run build', command: 'npm run build', required: false, reason: 'package.json has a "build" script' },
    ]);
  });

  it('makes the build required when it is the only check, and skips npm\'s placeholder test script', () => {
    const dir = workspace({ 'package.json': pkg({ test: 'echo "Error: no test specified" && exit 1', build: 'tsc', lint: 'eslint .' }) });
    assert.deepEqual(brief(dir), [['npm run lint', false], ['npm run build', true]]);
  });

  it('runs the scripts with the package manager its lockfile (or packageManager field) names', () => {
    const scripts = { test: 'vitest', lint: 'eslint .' };
    const pnpm = detectGates(workspace({ 'package.json': pkg(scripts), 'pnpm-lock.yaml': '' }));
    assert.deepEqual(pnpm.map((g) => g.command), ['pnpm test', 'pnpm run lint']);
    assert.equal(pnpm[0]!.reason, 'package.json has a "test" script, run with pnpm (pnpm-lock.yaml)');
    assert.deepEqual(detectGates(workspace({ 'package.json': pkg(scripts), 'yarn.lock': '' })).map((g) => g.command), ['yarn test', 'yarn run lint']);
    assert.deepEqual(detectGates(workspace({ 'package.json': pkg(scripts), 'package-lock.json': '{}' })).map((g) => g.reason), ['package.json has a "test" script, run with npm (package-lock.json)', 'package.json has a "lint" script, run with npm (package-lock.json)']);
    const declared = detectGates(workspace({ 'package.json': pkg(scripts, { packageManager: 'yarn@4.1.0' }) }));
    assert.deepEqual([declared[0]!.command, declared[0]!.reason], ['yarn test', 'package.json has a "test" script, run with yarn (its "packageManager" field)']);
  });

  it('finds nothing in a package.json without those scripts, or one that is not JSON', () => {
    assert.deepEqual(detectGates(workspace({ 'package.json': pkg({ start: 'node .' }) })), []);
    assert.deepEqual(detectGates(workspace({ 'package.json': '{ not json' })), []);
    assert.deepEqual(detectGates(workspace({ 'README.md': '# hi' })), []);
  });

  it('finds cargo test, go test and make test', () => {
    assert.deepEqual(detectGates(workspace({ 'Cargo.toml': '[package]\nname = "x"\n' })), [{ name: 'cargo test', command: 'cargo test', required: true, reason: 'Cargo.toml' }]);
    assert.deepEqual(detectGates(workspace({ 'go.mod': 'module x\n' })), [{ name: 'go test ./...', command: 'go test ./...', required: true, reason: 'go.mod' }]);
    assert.deepEqual(detectGates(workspace({ Makefile: 'build:\n\tcc x.c\n\ntest: build\n\t./x --test\n' })), [{ name: 'make test', command: 'make test', required: true, reason: 'Makefile has a "test" target' }]);
    assert.deepEqual(detectGates(workspace({ Makefile: 'test := 1\nall:\n\techo\n' })), [], 'a variable named test is not a target');
  });

  it('finds pytest by its configuration, conftest.py, or Python files under tests/', () => {
    const reason = (files: Record<string, string>) => detectGates(workspace(files)).map((g) => [g.command, g.reason]);
    assert.deepEqual(reason({ 'pyproject.toml': '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' }), [['pytest', 'pyproject.toml has [tool.pytest.ini_options]']]);
    assert.deepEqual(reason({ 'pyproject.toml': '[project]\nname = "x"\n' }), [], 'a pyproject.toml alone is not pytest');
    assert.deepEqual(reason({ 'pytest.ini': '[pytest]\n' }), [['pytest', 'pytest.ini']]);
    assert.deepEqual(reason({ 'setup.cfg': '[metadata]\nname = x\n[tool:pytest]\ntestpaths = tests\n' }), [['pytest', 'setup.cfg has [tool:pytest]']]);
    assert.deepEqual(reason({ 'setup.cfg': '[metadata]\nname = x\n' }), []);
    assert.deepEqual(reason({ 'conftest.py': '' }), [['pytest', 'conftest.py']]);
    assert.deepEqual(reason({ 'tests/test_x.py': 'def test_x(): pass\n' }), [['pytest', 'tests/ holds Python files']]);
    assert.deepEqual(reason({ 'tests/unit/test_y.py': '' }), [['pytest', 'tests/ holds Python files']]);
    assert.deepEqual(reason({ 'tests/fixture.json': '{}', 'tests/more/': '' }), [], 'no Python files');
  });

  it('lists every kind a workspace has, in order', () => {
    const dir = workspace({ 'package.json': pkg({ test: 'jest' }), 'Cargo.toml': '', 'pytest.ini': '', 'go.mod': '', Makefile: 'test:\n\ttrue\n' });
    assert.deepEqual(brief(dir), [['npm test', true], ['cargo test', true], ['pytest', true], ['go test ./...', true], ['make test', true]]);
  });

  it('refuses a folder that does not exist', () => {
    assert.throws(() => detectGates('/nonexistent/sb-detect'), /The folder \/nonexistent\/sb-detect does not exist/);
  });
});
