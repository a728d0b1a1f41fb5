/** No import cycles anywhere in src/ (type-only, dynamic `import()` and `require()` imports count too): every module can be built and tested alone. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const SRC = path.resolve(__dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** Static (`import … from`, `export … from`, `import '…'`), dynamic (`import('…')`) and `require('…')` imports with a relative specifier. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]|(?:^|\n)\s*import\s+['"](\.{1,2}\/[^'"]+)['"]|\b(?:import|require)\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The files of src/ a file imports (relative specifiers only). */
function importsOf(file: string): string[] {
  return specifiersIn(fs.readFileSync(file, 'utf8')).flatMap((specifier) => {
    const base = path.resolve(path.dirname(file), specifier.replace(/\.js$/, ''));
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    return target ? [target] : [];
  });
}

/** The relative specifiers a source text imports, in order. */
function specifiersIn(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((match) => (match[1] ?? match[2] ?? match[3])!);
}

/** The cycles among `graph`'s nodes, each as the list of files in it. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('src/ modules', () => {
  it('import one another without cycles', () => {
    const graph = new Map(files(SRC).map((f) => [f, importsOf(f)]));
    assert.ok(graph.size > 100, 'the files were found');
    const cycles = cyclesOf(graph).map((c) => c.map((f) => path.relative(SRC, f)).join(' -> '));
    assert.deepEqual(cycles, []);
  });

  it('sees every kind of import: static, type-only, side-effect, dynamic import() and require()', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '../b.js';",
      "export { c } from './c';",
      "import './d';",
      "const e = await import('./e.js');",
      "const f = require('./f');",
      "const g = await import('node:fs');",
    ].join('\n');
    assert.deepEqual(specifiersIn(text), ['./a', '../b.js', './c', './d', './e.js', './f']);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    assert.deepEqual(cyclesOf(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  });
});
