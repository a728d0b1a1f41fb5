/** The CLI's global options, as the CLI and its bin (which names the code cache's part after the command) find them. */
import * as assert from 'node:assert/strict';
import { takeGlobalOptions } from '../../src/cli/globalOptions';

describe('global options', () => {
  it('finds the command after global options given before it, with a value as the next word or after =', () => {
    assert.deepEqual(takeGlobalOptions(['--format', 'json', 'list', '--all']), { values: { '--format': 'json' }, rest: ['list', '--all'] });
    assert.deepEqual(takeGlobalOptions(['--format=md', 'status', 'x']), { values: { '--format': 'md' }, rest: ['status', 'x'] });
  });

  it('takes them after the command too, and leaves alone what follows a --', () => {
    assert.deepEqual(takeGlobalOptions(['kill', 'x', '--format', 'json']), { values: { '--format': 'json' }, rest: ['kill', 'x'] });
    assert.deepEqual(takeGlobalOptions(['run', '--', '--format', 'json']), { values: {}, rest: ['run', '--', '--format', 'json'] });
  });

  it('a value left out is empty (the CLI refuses it), and nothing given is no command', () => {
    assert.deepEqual(takeGlobalOptions(['--format']), { values: { '--format': '' }, rest: [] });
    assert.equal(takeGlobalOptions([]).rest[0], undefined);
  });
});
