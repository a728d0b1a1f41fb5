/** The manifest and the code agree: every command has a handler, and every handler is contributed. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('package.json', () => {
  it('contributes exactly the commands the command table handles, all in the Switchboard category', () => {
    const contributed = (manifest.contributes.commands as { command: string; category: string }[]).map((c) => c.command).sort();
    assert.deepEqual(contributed, [...COMMAND_IDS].sort());
    assert.ok((manifest.contributes.commands as { category: string }[]).every((c) => c.category === 'Switchboard'));
  });

  it('refers only to contributed commands in its menus and welcome content', () => {
    const known = new Set<string>([...COMMAND_IDS, 'workbench.trust.manage']);
    const menus = Object.values(manifest.contributes.menus as Record<string, { command: string }[]>).flat();
    for (const entry of menus) assert.ok(known.has(entry.command), entry.command);
    for (const welcome of manifest.contributes.viewsWelcome as { contents: string }[]) {
      for (const [, id] of welcome.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(id!), id);
    }
  });

  it('writes its welcome content in what a view draws: links, no code spans (their backticks would show as they are)', () => {
    for (const welcome of manifest.contributes.viewsWelcome as { contents: string }[]) assert.ok(!welcome.contents.includes('`'), welcome.contents);
  });

  it('needs a VS Code with the MCP server definition API, and describes every setting', () => {
    assert.match(manifest.engines.vscode, /^\^1\.(10[1-9]|1[1-9]\d)\./);
    for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties as Record<string, { markdownDescription?: string }>)) {
      assert.ok(setting.markdownDescription, `${key} has a description`);
    }
  });
});
