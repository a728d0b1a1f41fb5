/** Chat conversations recorded under the state folder: meta, turns (redacted) and the work they started, read back as a reloaded window would. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ChatSessions, isSessionId } from '../../src/core/chat/chatSessions';
import { describeStatePath, StateMap } from '../../src/core/state/stateMap';
import { tempDir } from '../support/harness';
import * as path from 'node:path';

describe('chat sessions', () => {
  it('records a conversation: meta, turns with secrets redacted, and the work it started and sent', () => {
    const root = tempDir('sb-chat-sessions-');
    const state = new StateMap(root);
    const sessions = new ChatSessions(state);
    const meta = sessions.create('/work/project', new Date('2026-12-06T10:00:00Z'));
    assert.ok(isSessionId(meta.id), meta.id);
    assert.match(meta.id, /^chat-20261206-/);
    sessions.turn(meta.id, 'user', '/run claude use key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789');
    sessions.turn(meta.id, 'assistant', 'Started claude-1');
    sessions.record(meta.id, { kind: 'run', id: 'r1' });
    sessions.record(meta.id, { kind: 'steer', id: 'r1', text: 'try ghp_abcdefghijklmnopqrstuvwxyz0123456789 instead' });
    sessions.record(meta.id, { kind: 'kill', id: 'r1' });

    // A new reader (a reloaded window) finds all of it.
    const again = new ChatSessions(new StateMap(root));
    assert.deepEqual(again.meta(meta.id), { version: 1, id: meta.id, startedAt: '2026-12-06T10:00:00.000Z', workspace: '/work/project' });
    const turns = again.turns(meta.id);
    assert.deepEqual(turns.map((t) => t.role), ['user', 'assistant']);
    assert.ok(!turns[0]!.text.includes('sk-ant-api03'), turns[0]!.text);
    assert.match(turns[0]!.text, /<<REDACTED_ANTHROPIC_KEY_1>>/);
    assert.deepEqual(again.work(meta.id).map((w) => [w.kind, w.id]), [['run', 'r1'], ['steer', 'r1'], ['kill', 'r1']]);
    assert.ok(!JSON.stringify(again.work(meta.id)).includes('ghp_'), 'the steer text is redacted');
    assert.deepEqual(again.list().map((m) => m.id), [meta.id]);

    // Every file is one the state map knows, and only the user can read it.
    for (const file of Object.values(state.session(meta.id))) assert.ok(describeStatePath(path.relative(root, file)), file);
    assert.equal(fs.statSync(state.session(meta.id).conversation).mode & 0o777, 0o600);
  });

  it('skips a torn line, and knows no session for an id that is not one', () => {
    const root = tempDir('sb-chat-sessions-');
    const state = new StateMap(root);
    const sessions = new ChatSessions(state);
    const { id } = sessions.create(undefined);
    sessions.record(id, { kind: 'team', id: 'alpha' });
    fs.appendFileSync(state.session(id).events, '{"ts":"2026-12-06T10:00:00Z","kind":"ru');
    assert.deepEqual(sessions.work(id).map((w) => w.id), ['alpha']);
    assert.equal(sessions.meta('../etc'), undefined);
    assert.equal(sessions.meta('chat-20261206-zzzzzz'), undefined);
    assert.equal(isSessionId(42), false);
  });
});
