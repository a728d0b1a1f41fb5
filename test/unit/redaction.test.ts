/**
 * The redaction corpus: every built-in shape, config's patterns and literals, each at every
 * boundary (alone, at the start and end of a line, quoted, inside JSON, before punctuation), one
 * placeholder per secret within a redactor, and streamed output cut at every place inside a secret:
 * only the lines around a needle (redactScan.ts) are redacted there, the rest copied as bytes, and
 * what comes out is what redacting the whole text at once gives.
 */
import * as assert from 'node:assert/strict';
import { placeholderCounts, Redactor, redactorFor, secretsFromEnv, type RedactionConfig } from '../../src/core/redact';
import { patternProblem } from '../../src/core/redactRules';
import { StreamRedactor } from '../../src/core/redactStream';

interface Sample {
  kind: string;
  /** The text as printed. */
  text: string;
  /** The part that must not be shown. */
  secret: string;
}

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Vr4q9XyQ3mZpLk2Hn5Tg8Wc1Rb6Ys0Jd4Fe7Ua3Oi9Pl2Kj\nq9XyQ3mZpLk2Hn5Tg8Wc1Rb6\n-----END RSA PRIVATE KEY-----';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

const secret = (kind: string, value: string, before = '', after = ''): Sample => ({ kind, text: `${before}${value}${after}`, secret: value });

export const CORPUS: Sample[] = [
  secret('AWS_KEY', 'AKIAIOSFODNN7EXAMPLE'),
  secret('AWS_KEY', 'ASIAY34FZKBOKMUTVV7A'),
  secret('AWS_SECRET_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key = '),
  secret('GITHUB_TOKEN', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'),
  secret('GITHUB_TOKEN', 'github_pat_11ABCDEFG0123456789_abcdefghijKLMNOPQRSTUVWXYZ0123456789'),
  secret('GITHUB_TOKEN', 'ghs_abcdefghijklmnopqrstuvwxyz0123456789'),
  secret('OPENAI_KEY', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7cD0eF'),
  secret('OPENAI_KEY', 'sk-T3BlbkFJabcdefghijklmnopqrstuvwxyz012345'),
  secret('ANTHROPIC_KEY', 'sk-ant-api03-Zk3v9Qx7Lp2Rt8Wm4Yn6Bc1Df5Gh0Jk-AbCdEf_123'),
  secret('GOOGLE_API_KEY', 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'),
  secret('GOOGLE_OAUTH_TOKEN', 'ya29.a0AfH6SMBx3kJ9pQrStUvWxYz0123456789abcdef'),
  secret('SLACK_TOKEN', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'),
  secret('SLACK_WEBHOOK', 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'),
  secret('STRIPE_KEY', 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ0123456789'),
  secret('STRIPE_KEY', 'rk_test_51HqLyjWDarjtT1zdp7dcXYZ0123456789'),
  secret('STRIPE_KEY', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
  secret('GITLAB_TOKEN', 'glpat-xT4bR9kLm2Qp7Wz5Yc3N'),
  secret('GITLAB_TOKEN', 'glrt-Ab12Cd34Ef56Gh78Ij90Kl'),
  secret('NPM_TOKEN', 'npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'),
  secret('HUGGINGFACE_TOKEN', 'hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567'),
  secret('SLACK_TOKEN', 'xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789'),
  secret('DISCORD_WEBHOOK', 'https://discord.com/api/webhooks/123456789012345678/AbCdEf-GhIjKl_MnOpQrStUvWxYz0123456789'),
  secret('DISCORD_WEBHOOK', 'https://discordapp.com/api/webhooks/123456789012345678/ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210'),
  secret('PRIVATE_KEY', PEM),
  secret('PRIVATE_KEY', PEM.replace(/RSA /g, 'OPENSSH ')),
  secret('JWT', JWT),
  secret('CONNECTION_PASSWORD', 'S3cr3tPa55', 'postgres://app:', '@db.internal:5432/app'),
  secret('CONNECTION_PASSWORD', 'hunter2pass', 'mongodb+srv://admin:', '@cluster0.example.net/test'),
  secret('PASSWORD', 'correct-horse-battery', 'password='),
  secret('PASSWORD', 'correct-horse-battery', 'PASSWORD: '),
  secret('SECRET', 'tr0ub4dor&3', 'secret='.replace('=', '= ')),
  secret('CLIENT_SECRET', 'Xk9-Qw2e_Rt5yU8i', 'client_secret='),
  secret('ENV_SECRET', 'q8W2e4R6t8Y0u2I4', 'export MY_SERVICE_API_KEY='),
  secret('ENV_SECRET', 'q8W2e4R6t8Y0u2I4', 'DATABASE_TOKEN="', '"'),
  secret('ENV_SECRET', 'q8W2e4R6t8Y0u2I4', '"deploy_token": "', '"'),
  secret('ENV_SECRET', 'hunter22abcd', 'export MY_PASSWORD='),
  secret('ENV_SECRET', 'q8W2e4R6t8Y0u2I4', 'GOOGLE_CREDENTIALS='),
  secret('ENV_SECRET', 'q8W2e4R6t8Y0u2I4', 'DB_PASSWD = "', '"'),
  secret('BEARER_TOKEN', 'abcdefghijklmnopqrstuvwx', 'Authorization: Bearer '),
];

/** Each sample at each boundary: alone, in a sentence, quoted, in JSON, between lines, before punctuation. */
const BOUNDARIES: [string, (t: string) => string][] = [
  ['alone', (t) => t],
  ['at the start', (t) => `${t} and more`],
  ['at the end', (t) => `this is it: ${t}`],
  ['quoted', (t) => `"${t}"`],
  ['single-quoted', (t) => `'${t}'`],
  ['in JSON', (t) => JSON.stringify({ output: t })],
  ['between lines', (t) => `first line\n${t}\nlast line`],
  ['before punctuation', (t) => `(${t}).`],
  ['before a comma', (t) => `${t}, then`],
];

const allows = (kind: string): RegExp => new RegExp(`<<REDACTED_${kind}_1>>`);

describe('redaction corpus', () => {
  for (const sample of CORPUS) {
    for (const [where, wrap] of BOUNDARIES) {
      // Quotes around an unquoted assignment value are part of the value's surroundings, not of the secret.
      it(`${sample.kind} ${sample.secret.slice(0, 12)}… ${where}`, () => {
        const redactor = new Redactor();
        const printed = wrap(sample.text);
        const shown = redactor.text(printed);
        assert.ok(!shown.includes(sample.secret), shown);
        for (const line of sample.secret.split('\n').filter((l) => l.length >= 8)) assert.ok(!shown.includes(line), `a line of the secret is shown: ${shown}`);
        assert.match(shown, allows(sample.kind), shown);
        assert.equal(redactor.text(shown), shown, 'redacting again changes nothing');
      });
    }
  }

  it('gives the same secret the same placeholder, and each new one the next number', () => {
    const redactor = new Redactor();
    const a = 'AKIAIOSFODNN7EXAMPLE';
    const b = 'AKIAI44QH8DHBEXAMPLE';
    assert.equal(redactor.text(`${a} ${b}`), '<<REDACTED_AWS_KEY_1>> <<REDACTED_AWS_KEY_2>>');
    assert.equal(redactor.text(`again ${b} then ${a}`), 'again <<REDACTED_AWS_KEY_2>> then <<REDACTED_AWS_KEY_1>>');
    assert.deepEqual(redactor.counts, { AWS_KEY: 2 });
    assert.equal(new Redactor({ counts: { AWS_KEY: 2 } }).text(`x ${'AKIAZZZZZZZZZZZZZZZZ'}`), 'x <<REDACTED_AWS_KEY_3>>', 'counts on from the numbers given');
    assert.deepEqual(placeholderCounts('<<REDACTED_AWS_KEY_3>> <<REDACTED_JWT_1>> <<REDACTED_AWS_KEY_1>>'), { AWS_KEY: 3, JWT: 1 });
  });

  it('hides config patterns (their first group) and literals, and the values of secret-named variables', () => {
    const redactor = redactorFor(
      { patterns: [{ name: 'internal token', pattern: 'itk-([0-9a-f]{12})' }, { name: 'ticket', pattern: 'TCK\\d{6}' }], secrets: ['open sesame please'] },
      { MY_API_TOKEN: 'zz-0123456789', HOME: '/home/someone', SHORT_KEY: 'abc' },
    );
    assert.equal(
      redactor.text('token itk-0123456789ab, TCK123456, say open sesame please, env zz-0123456789 at /home/someone'),
      'token itk-<<REDACTED_INTERNAL_TOKEN_1>>, <<REDACTED_TICKET_1>>, say <<REDACTED_SECRET_1>>, env <<REDACTED_SECRET_2>> at /home/someone',
    );
    assert.deepEqual(secretsFromEnv({ A_TOKEN: 'abcdefgh1', PATH: '/usr/bin:/bin', B_KEY: 'short' }), ['abcdefgh1']);
    assert.match(patternProblem('(')!, /^is not a regular expression: .*Unterminated group/);
    assert.equal(patternProblem('a*'), 'matches the empty string');
    assert.equal(patternProblem('tok-\\d+'), undefined);
  });

  it('leaves ordinary output alone', () => {
    const plain = [
      '"input_tokens": 1234, "max_tokens": 4096, "cache_read_input_tokens": 0',
      'primary_key: id, password: ***, secret=$SECRET, token: null',
      'sk-learn is a library; ghp_ is a prefix; see https://example.com/a:b@c',
      'The secret: it works.',
      'session 3f1c2a9e-7b4d-4c1e-9a2b-5d6e7f8a9b0c, PWD=/home/me/project',
    ];
    for (const text of plain) assert.equal(new Redactor().text(text), text);
  });

  it('redacts every string of an event and keeps the rest of it', () => {
    const redactor = new Redactor();
    const event = { type: 'tool_call', name: 'Bash', input: { command: 'curl -H "Authorization: Bearer abcdefghijklmnopqrstuvwx" x', n: 3, flags: ['--token', 'AKIAIOSFODNN7EXAMPLE'] } };
    assert.deepEqual(redactor.value(event), { type: 'tool_call', name: 'Bash', input: { command: 'curl -H "Authorization: Bearer <<REDACTED_BEARER_TOKEN_1>>" x', n: 3, flags: ['--token', '<<REDACTED_AWS_KEY_1>>'] } });
    const clean = { type: 'text', text: 'nothing here' };
    assert.equal(redactor.value(clean), clean, 'the same object when nothing changed');
    assert.deepEqual(redactor.args(['cli', '--password', 'hunter2', '--api-key=abc', 'AKIAIOSFODNN7EXAMPLE']), ['cli', '--password', '<<REDACTED_SECRET_1>>', '--api-key=<<REDACTED_SECRET_2>>', '<<REDACTED_AWS_KEY_1>>']);
  });
});

/** Streams `text` cut at `cuts` (byte offsets), then ends; what was written. */
function streamed(text: string, cuts: number[], redactor = new Redactor()): string {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  const stream = new StreamRedactor(redactor, (piece) => out.push(Buffer.from(piece)));
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    stream.push(bytes.subarray(at, cut));
    at = cut;
  }
  stream.end();
  return Buffer.concat(out).toString();
}

describe('redaction of streamed output', () => {
  it('never shows part of a secret cut in two by a read, wherever the cut', () => {
    for (const sample of CORPUS) {
      const text = `before\n${sample.text} after\nnext line\n`;
      const whole = new Redactor().text(text);
      const start = text.indexOf(sample.secret);
      for (let cut = start; cut <= start + sample.secret.length; cut++) {
        assert.equal(streamed(text, [cut]), whole, `${sample.kind} cut at ${cut - start}`);
      }
    }
  });

  it('holds a key block until its END line, and hides a block that never ends', () => {
    const lines = PEM.split('\n');
    assert.equal(streamed(`a\n${PEM}\nb\n`, lines.map((_l, i) => 2 + lines.slice(0, i + 1).join('\n').length + 1)), 'a\n<<REDACTED_PRIVATE_KEY_1>>\nb\n');
    const huge = `-----BEGIN PRIVATE KEY-----\n${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n'.repeat(3000)}`;
    assert.equal(streamed(`${huge}QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n-----END PRIVATE KEY-----\nafter\n`, [huge.length]), '<<REDACTED_PRIVATE_KEY_1>>\nafter\n');
  });

  it('passes whole lines on as they come, and a very long line without its end', () => {
    const written: string[] = [];
    const stream = new StreamRedactor(new Redactor(), (piece) => written.push(piece.toString()));
    const push = (text: string): void => stream.push(Buffer.from(text));
    push('one\ntw');
    assert.deepEqual(written, ['one\n']);
    push('o\n');
    assert.deepEqual(written, ['one\n', 'two\n']);
    push(`${'word '.repeat(20_000)}`);
    assert.equal(written.length, 3, 'a line longer than 64 KB is passed on (cut at a space)');
    stream.end();
    assert.equal(written.join(''), `one\ntwo\n${'word '.repeat(20_000)}`);
  });
});

/** Lines of base64 and of prose around a secret: many bytes to copy as they are, without needles (the lines around the secret's are redacted)... */
const SPARSE = ['QUtJQUFBQUFhYWFhQklBYmVhckFJemE0NTY3ODkwYWJjZGVm+/QUFBQUFB', 'Ünïcödé prose — ✓ 漢字, nothing secret here at all', ''];
/** ...and lines of code, with needles that are no secret everywhere (all is redacted). */
const DENSE = [...SPARSE, 'src/a.ts:12: const x = a - b; // ok'];

/** A pseudo-random generator with a seed, so a failure can be run again. */
function random(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('redaction of streamed output: the lines scanned for needles', () => {
  const filler = (n: number, lines = SPARSE): string => Array.from({ length: n }, (_v, i) => lines[i % lines.length]).join('\n');

  it('gives what redacting the whole text gives, every secret at every boundary amid filler, cut anywhere', () => {
    const next = random(7);
    for (const sample of CORPUS) {
      for (const [where, wrap] of BOUNDARIES) {
        const lines = next() < 0.5 ? SPARSE : DENSE;
        const text = `${filler(40, lines)}\n${wrap(sample.text)}\n${filler(40, lines)}\n`;
        const whole = new Redactor().text(text);
        const size = Buffer.byteLength(text);
        for (let round = 0; round < 4; round++) {
          const cuts = [...new Set(Array.from({ length: 1 + round * 3 }, () => Math.floor(next() * size)))].sort((a, b) => a - b);
          assert.equal(streamed(text, cuts), whole, `${sample.kind} ${where}, cut at ${cuts.join(',')}`);
        }
      }
    }
  });

  it('hides an assignment or a bearer token whose value is on the next line that is not blank', () => {
    for (const secretLines of ['password:\n\n   hunter2hunter2', 'Authorization: Bearer\n  abcdefghijklmnopqrstuvwx', 'export MY_SERVICE_API_KEY\n=\nq8W2e4R6t8Y0u2I4', 'aws_secret_access_key\n\n=\n\nwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']) {
      const text = `${filler(30)}\n${secretLines}\n${filler(30)}\n`;
      const whole = new Redactor().text(text);
      assert.notEqual(whole, text, secretLines);
      assert.equal(streamed(text, []), whole, secretLines);
    }
  });

  it('hides literal secrets and config patterns, in clean output and cut at every place inside them', () => {
    const config: RedactionConfig = { patterns: [{ name: 'ticket', pattern: 'TCK\\d{6}' }], secrets: ['open sesame please', 'pässwörd-ü€9'] };
    const env = { MY_API_TOKEN: 'zq9zq9zq9zq9' };
    for (const secret of ['open sesame please', 'pässwörd-ü€9', 'zq9zq9zq9zq9', 'TCK123456']) {
      const text = `${filler(20)}\nsay ${secret} now\n${filler(20)}\n`;
      const whole = redactorFor(config, env).text(text);
      assert.ok(!whole.includes(secret), whole);
      const start = Buffer.from(text).indexOf(secret);
      for (let cut = start; cut <= start + Buffer.byteLength(secret); cut++) assert.equal(streamed(text, [cut], redactorFor(config, env)), whole, `${secret} cut at ${cut - start}`);
      const withoutPatterns = { ...config, patterns: [] };
      if (secret !== 'TCK123456') assert.equal(streamed(text, [start + 2], redactorFor(withoutPatterns, env)), redactorFor(withoutPatterns, env).text(text), `${secret} found by the scan`);
    }
  });

  it('copies every byte that holds no secret as it came, characters cut by reads and lines longer than 64 KB too', () => {
    const text = `${filler(200)}\n${'wörd ✓ = '.repeat(10_000)}\n=${'漢'.repeat(30_000)}\n`;
    const bytes = Buffer.byteLength(text);
    for (const cuts of [[1], [bytes - 3, bytes - 2, bytes - 1], Array.from({ length: 50 }, (_v, i) => Math.floor(((i + 1) * bytes) / 51) + (i % 3))]) {
      assert.equal(streamed(text, cuts), text);
    }
  });

  it('hides a key block amid filler, whatever the lines it comes in', () => {
    const text = `${filler(20)}\n${PEM}\n${filler(20)}\n`;
    const whole = new Redactor().text(text);
    assert.match(whole, /<<REDACTED_PRIVATE_KEY_1>>/);
    const ends = [...text.matchAll(/\n/g)].map((m) => Buffer.byteLength(text.slice(0, m.index + 1)));
    assert.equal(streamed(text, ends), whole);
    assert.equal(streamed(text, ends.map((e) => e - 5)), whole);
  });
});
