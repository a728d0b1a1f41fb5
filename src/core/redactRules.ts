/**
 * The shapes of secrets Switchboard hides: provider API keys, private key blocks, JWTs, credentials
 * in connection strings, `password=` / `secret=` / `client_secret=` assignments and the values of
 * variables named like keys, tokens and secrets. Each rule names its kind (the placeholder's word)
 * and, with a group named `s`, which part of the match is the secret (the rest stays readable).
 */

export interface RedactRule {
  /** The placeholder's word, e.g. `AWS_KEY` for `<<REDACTED_AWS_KEY_1>>`; a function when the match decides. */
  kind: string | ((match: RegExpExecArray) => string);
  /** Global, with indices (`d`), so that the secret group's place is known. */
  re: RegExp;
  /** Matches that are not secrets after all (placeholders, `null`, `$VAR`). */
  skip?: (secret: string) => boolean;
  /** The secret is the first group (a custom pattern with a group), not the group named `s` or the whole match. */
  firstGroup?: boolean;
}

/** A custom pattern from config: a regular expression; its first group, when it has one, is the secret. */
export interface CustomPattern {
  name: string;
  pattern: string;
}

/** Never a value to hide: an empty-looking value, a variable reference, a mask, or a placeholder already. */
const NOT_A_VALUE = /^(?:null|none|nil|true|false|undefined|\*+|x+|\.+|\$.*|%.*|<.*|\{\{.*)$/i;
const notAValue = (secret: string): boolean => NOT_A_VALUE.test(secret);

/** What follows `name=`, `name: `, `"name": "` — an optionally quoted value. */
const VALUE = String.raw`\\?["'\x60]?(?<s>(?!<<REDACTED_)[^\s"'\x60,;&)}\]\\]+)`;

const rule = (kind: RedactRule['kind'], source: string, flags = '', skip?: RedactRule['skip']): RedactRule => ({ kind, re: new RegExp(source, `gd${flags}`), skip });

/** In priority order: where two rules match at the same place, the earlier one names the kind. */
export const BUILT_IN_RULES: readonly RedactRule[] = [
  rule('PRIVATE_KEY', String.raw`-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)`),
  rule('JWT', String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
  rule('ANTHROPIC_KEY', String.raw`\bsk-ant-[A-Za-z0-9_-]{16,}`),
  rule('STRIPE_KEY', String.raw`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{20,}`),
  rule('OPENAI_KEY', String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`),
  rule('AWS_KEY', String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`),
  rule('AWS_SECRET_KEY', String.raw`aws_?secret_?access_?key["']?\s*[=:]\s*["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`, 'i'),
  rule('GITHUB_TOKEN', String.raw`\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}`),
  rule('GITLAB_TOKEN', String.raw`\bgl(?:pat|dt|ptt|rt|cbt)-[A-Za-z0-9_-]{20,}`),
  rule('NPM_TOKEN', String.raw`\bnpm_[A-Za-z0-9]{30,}`),
  rule('HUGGINGFACE_TOKEN', String.raw`\bhf_[A-Za-z0-9]{30,}`),
  rule('GOOGLE_API_KEY', String.raw`\bAIza[0-9A-Za-z_-]{30,}`),
  rule('GOOGLE_OAUTH_TOKEN', String.raw`\bya29\.[0-9A-Za-z_-]{20,}|\bGOCSPX-[A-Za-z0-9_-]{20,}`),
  rule('SLACK_TOKEN', String.raw`\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}`),
  rule('SLACK_WEBHOOK', String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]+`),
  rule('DISCORD_WEBHOOK', String.raw`https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]+`),
  rule('CONNECTION_PASSWORD', String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]+:(?<s>(?!<<REDACTED_)[^\s@/'"]+)@`),
  rule('BEARER_TOKEN', String.raw`\bBearer\s+(?<s>(?!<<REDACTED_)[A-Za-z0-9._~+/-]{12,}=*)`, 'i'),
  rule(
    (m) => (/^client/i.test(m[0]) ? 'CLIENT_SECRET' : /^secret/i.test(m[0]) ? 'SECRET' : 'PASSWORD'),
    String.raw`(?<!\w)(?:client_secret|password|passwd|secret)\\?["']?\s*[=:]\s*${VALUE}`,
    'i',
    (s) => s.length < 4 || notAValue(s),
  ),
  rule('ENV_SECRET', String.raw`(?<!\w)(?:[A-Za-z][A-Za-z0-9]*[_-])+(?:api[_-]?)?(?:key|token|secret|password|passwd|credentials?|pat)\\?["']?\s*[=:]\s*${VALUE}`, 'i', (s) => s.length < 8 || notAValue(s)),
];

/** A config pattern as a rule: its kind is its name in capitals (`internal token` → `INTERNAL_TOKEN`). */
export function customRule(custom: CustomPattern): RedactRule {
  const kind = custom.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'CUSTOM';
  return { kind, re: new RegExp(custom.pattern, 'gd'), firstGroup: true, skip: (s) => s.length === 0 || s.startsWith('<<REDACTED_') };
}

/** Whether a pattern from config compiles (a message saying why not, or undefined). */
export function patternProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'gd');
    return ''.match(new RegExp(pattern)) ? 'matches the empty string' : undefined;
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
}
