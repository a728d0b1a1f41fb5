/** What is left of an agent's terminal output where no terminal draws it (terminalText.ts). */
import * as assert from 'node:assert/strict';
import { plainText } from '../../src/core/terminalText';

describe('plain text of terminal output', () => {
  it('drops colours, cursor moves, window titles and other escape sequences, keeping the words', () => {
    assert.equal(plainText('\x1b[31m\x1b[1mERROR\x1b[22m\x1b[39m Type error in \x1b[4msrc/a.ts\x1b[24m'), 'ERROR Type error in src/a.ts');
    assert.equal(plainText('\x1b]0;my title\x07\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\ done'), 'link done');
    assert.equal(plainText('\x1b[2K\x1b[1Gprogress \x1b[?25l50%\x1b[?25h\x1b(B\x1b=x\x9b0m'), 'progress 50%x');
  });

  it('drops the other control characters but tabs, line feeds and carriage returns; text with none is left as it is', () => {
    assert.equal(plainText('a\x07b\x00c\bd\x7fe\tf\r\ng'), 'abcde\tf\r\ng');
    const ordinary = 'step 1 of 40: working on <b>thing</b> & "quotes" [31m] €\n';
    assert.equal(plainText(ordinary), ordinary);
  });
});
