/**
 * Discoveries without agents: the fenced block an agent without MCP prints (recognised once, bad
 * blocks said), and the store (ids per goal or team, written under a lock by several processes at
 * once, a corrupt file set aside).
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DISCOVERY_NOTE, scanDiscoveries } from '../../src/core/discoveries/discoveryFence';
import { changeDiscoveries, nextDiscoveryId, readDiscoveries, type Discovery } from '../../src/core/discoveries/discoveryStore';
import { StateMap } from '../../src/core/state/stateMap';
import { ROOT, tempDir } from '../support/harness';

const fence = (body: string, marks = '```'): string => `${marks}switchboard-discovery\n${body}\n${marks}`;
const entry = (id: string): Discovery => ({ id, title: id, description: '', status: 'pending', createdAt: 1, updatedAt: 1, team: 'alpha', via: 'mcp' });

describe('discoveries', () => {
  describe('the fenced block', () => {
    it('finds each block of each text once, with its title, description and task', () => {
      const one = fence('{"title": "The rate limit config is missing", "description": "api/limits.ts reads RATE_LIMIT"}');
      const text = `I did the task.\n\n${one}\n\nAnd also:\n\n${fence('[{"title":"Flaky test","description":"api.test.ts fails 1 in 5","source_task_id":"T2"},{"title":"  Docs out of date  "}]', '~~~~')}`;
      // A CLI's final answer repeats its last message: the same block again is not a new discovery.
      const { found, problems } = scanDiscoveries([text, `Summary:\n${one}`]);
      assert.deepEqual(problems, []);
      assert.deepEqual(found.map((d) => [d.title, d.description, d.sourceTaskId]), [
        ['The rate limit config is missing', 'api/limits.ts reads RATE_LIMIT', undefined],
        ['Flaky test', 'api.test.ts fails 1 in 5', 'T2'],
        ['Docs out of date', '', undefined],
      ]);
      assert.equal(new Set(found.map((d) => d.fingerprint)).size, 3);
    });

    it('says what is wrong with a block it cannot use, and goes on with the others', () => {
      const text = [fence('{"title": "ok"}'), fence('{not json'), fence('{"description": "no title"}'), fence('"a string"')].join('\n\n');
      const { found, problems } = scanDiscoveries(text);
      assert.deepEqual(found.map((d) => d.title), ['ok']);
      assert.equal(problems.length, 3);
      assert.match(problems[0]!, /block is not JSON/);
      assert.match(problems[1]!, /has no "title"/);
    });

    it('knows only its own fence, at the start of a line; an unclosed block runs to the end of its text', () => {
      assert.deepEqual(scanDiscoveries('```json\n{"title":"plan"}\n```\nsee ```switchboard-discovery {"title":"inline"}```').found, []);
      assert.deepEqual(scanDiscoveries('```switchboard-discovery extra\n{"title":"x"}\n```').found, []);
      // Closed only by a fence at least as long as the one that opened it: the ``` line is part of this body.
      const long = scanDiscoveries('````switchboard-discovery\n{"title":"long"}\n```\n````');
      assert.deepEqual([long.found, long.problems.length], [[], 1]);
      assert.deepEqual(scanDiscoveries('   ```switchboard-discovery\n{"title":"indented"}\n   ```').found.map((d) => d.title), ['indented']);
      assert.deepEqual(scanDiscoveries(['```switchboard-discovery\n{"title":"cut', 'short"}\n```']).problems.length, 1);
    });

    it('the note workers are given names the fence without being one (an agent that echoes its prompt reports nothing)', () => {
      assert.match(DISCOVERY_NOTE, /report_discovery/);
      assert.match(DISCOVERY_NOTE, /switchboard-discovery/);
      assert.deepEqual(scanDiscoveries(DISCOVERY_NOTE), { found: [], problems: [] });
    });
  });

  describe('the store', () => {
    it('numbers ids within their goal or team, one more than the highest', () => {
      assert.equal(nextDiscoveryId([]), 'DSC-001');
      assert.equal(nextDiscoveryId([entry('DSC-002'), entry('DSC-009')]), 'DSC-010');
      assert.equal(nextDiscoveryId(Array.from({ length: 999 }, (_, i) => entry(`DSC-${i + 1}`))), 'DSC-1000');
    });

    it('keeps them in the state folder, owner-only; refuses a goal or team that does not exist', async () => {
      const state = new StateMap(tempDir('sb-dsc-'));
      fs.mkdirSync(state.team('alpha').dir, { recursive: true });
      await changeDiscoveries(state.root, { team: 'alpha' }, (list) => list.push(entry(nextDiscoveryId(list))));
      await changeDiscoveries(state.root, { team: 'alpha' }, (list) => list.push(entry(nextDiscoveryId(list))));
      assert.deepEqual(readDiscoveries(state.root, { team: 'alpha' }).map((d) => d.id), ['DSC-001', 'DSC-002']);
      const file = state.discoveries({ team: 'alpha' }).file;
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(fs.existsSync(state.discoveries({ team: 'alpha' }).lock), false, 'the lock is held only for the change');
      assert.deepEqual(readDiscoveries(state.root, { goal: 'goal-20260101-abcdef' }), []);
      await assert.rejects(changeDiscoveries(state.root, { team: 'ghost' }, () => undefined), /There is no team ghost/);
    });

    it('a corrupt file is set aside, never lost, and said', () => {
      const state = new StateMap(tempDir('sb-dsc-'));
      fs.mkdirSync(state.team('alpha').dir, { recursive: true });
      fs.writeFileSync(state.discoveries({ team: 'alpha' }).file, '{"version":1,"discov');
      assert.throws(() => readDiscoveries(state.root, { team: 'alpha' }), /were corrupt .* set aside as .*discoveries\.json\.corrupt-/);
      assert.equal(fs.readdirSync(state.team('alpha').dir).filter((f) => f.startsWith('discoveries.json.corrupt-')).length, 1);
    });

    it('four processes adding 25 each at once get 100 distinct ids, none lost', async () => {
      const state = new StateMap(tempDir('sb-dsc-'));
      fs.mkdirSync(state.goal('goal-20260101-abcdef').dir, { recursive: true });
      const store = path.join(ROOT, 'src', 'core', 'discoveries', 'discoveryStore.ts');
      const script = `const s = require(${JSON.stringify(store)});
for (let i = 0; i < 25; i++) s.changeDiscoveries(${JSON.stringify(state.root)}, { goal: 'goal-20260101-abcdef' }, (list) => { list.push({ id: s.nextDiscoveryId(list), title: process.pid + '-' + i, description: '', status: 'pending', createdAt: Date.now(), updatedAt: Date.now(), goal: 'goal-20260101-abcdef', via: 'mcp' }); });`;
      const exits = await Promise.all(
        Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: ROOT, stdio: 'inherit' }).once('exit', resolve))),
      );
      assert.deepEqual(exits, [0, 0, 0, 0]);
      const list = readDiscoveries(state.root, { goal: 'goal-20260101-abcdef' });
      assert.equal(list.length, 100);
      assert.deepEqual(list.map((d) => d.id), Array.from({ length: 100 }, (_, i) => `DSC-${String(i + 1).padStart(3, '0')}`));
      assert.equal(new Set(list.map((d) => d.title)).size, 100);
    });
  });
});
