/**
 * The byte scan that picks the lines of plain output to redact (redactScan.ts): every needle of
 * every rule is found, in any case for the rules that ignore case, literal secrets (non-ASCII too)
 * are, and only within the range asked for.
 */
import * as assert from 'node:assert/strict';
import { Redactor } from '../../src/core/redact';
import { BUILT_IN_RULES } from '../../src/core/redactRules';
import { NeedleScan } from '../../src/core/redactScan';

/** The needles found in `text`, as the strings found. */
function found(scan: NeedleScan, text: string, from = 0, to?: number): string[] {
  const bytes = Buffer.from(text);
  const hits = scan.find(bytes, from, to ?? bytes.length) ?? assert.fail('too many needles');
  const out: string[] = [];
  for (let i = 0; i < hits.length; i += 2) out.push(bytes.toString('utf8', hits[i], hits[i + 1]));
  return out;
}

/** Base64-like filler: none of the rarer bytes, many of the letters needles start with. */
const FILLER = 'QUFBQWFhYWFBYWFhQUtJYkFTSWFBQklhQUNDYUFJWmE0NTY3ODkwYWJjZGVm';

describe('the byte scan for needles', () => {
  const scan = new NeedleScan(new Redactor().needles()!);

  it('finds every needle of every built-in rule, alone, at the start and end of a line, amid filler', () => {
    for (const rule of BUILT_IN_RULES) {
      assert.ok(rule.needles && rule.needles.length > 0, `${String(rule.kind)} names its needles`);
      for (const needle of rule.needles) {
        const cases = rule.re.ignoreCase ? [needle, needle.toUpperCase(), [...needle].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('')] : [needle];
        for (const text of cases) {
          for (const line of [text, `${text} and more`, `ends with ${text}`, `${FILLER}${text}${FILLER}`]) {
            assert.ok(found(scan, `${FILLER}\n${line}\n${FILLER}\n`).some((hit) => hit.toLowerCase() === text.toLowerCase()), `${String(rule.kind)}: ${text} in ${line}`);
          }
        }
      }
    }
  });

  it('finds nothing in text without needles, and only whole needles inside the range asked for', () => {
    assert.deepEqual(found(scan, `${FILLER}\n`.repeat(50)), []);
    assert.deepEqual(found(scan, 'AKI A KIA sk -- sk_ live bear er'), []);
    const text = 'sk-a sk-b sk-c';
    assert.deepEqual(found(scan, text, 0, 4), ['sk-']);
    assert.deepEqual(found(scan, text, 1, 7), [], 'a needle begun before the range, or ending after it, is not there');
    assert.deepEqual(found(scan, text, 5), ['sk-', 'sk-']);
  });

  it('gives the places in order, each needle once however many rules name it', () => {
    const bytes = Buffer.from('x=1 https://u:p@h AKIA sk-ant-x');
    const hits = scan.find(bytes, 0, bytes.length) ?? assert.fail('too many needles');
    const starts = hits.filter((_h, i) => i % 2 === 0);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
    assert.deepEqual(found(scan, 'a=b'), ['=']);
    assert.deepEqual(found(scan, 'sk-ant-x').sort(), ['sk-', 'sk-ant-']);
  });

  it('gives up once there are more needles than asked for (then all of the text is redacted)', () => {
    const bytes = Buffer.from('a=1 b=2 c:3');
    assert.equal(scan.find(bytes, 0, bytes.length, 2), undefined);
    assert.equal(scan.find(bytes, 0, bytes.length, 3)?.length, 6);
  });

  it('finds literal secrets: without any rarer byte, with spaces, not ASCII', () => {
    const literals = new NeedleScan(new Redactor({ secrets: ['zq9zq9zq9', 'open sesame please', 'pässwörd-ü€'] }).needles()!);
    assert.deepEqual(found(literals, `${FILLER} zq9zq9zq9 ${FILLER}`), ['zq9zq9zq9']);
    assert.deepEqual(found(literals, 'say open sesame please\n'), ['open sesame please']);
    assert.deepEqual(found(literals, 'x pässwörd-ü€ y'), ['pässwörd-ü€']);
    assert.deepEqual(found(literals, 'x pässwörd-u€ y'), []);
  });

  it('has no needles to give when a config pattern could match anything', () => {
    assert.equal(new Redactor({ patterns: [{ name: 'ticket', pattern: 'TCK\\d{6}' }] }).needles(), undefined);
  });
});
