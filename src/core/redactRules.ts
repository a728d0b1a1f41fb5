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
  /** Text without this cannot match: the rule is not tried (most output holds no secret at all). */
  hint?: string | RegExp;
  /** Literals one of which is in every match (in any case when the rule ignores case): output without any is not looked at (redactScan.ts). */
  needles?: readonly string[];
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

const rule = (kind: RedactRule['kind'], needles: string[], hint: string | RegExp, source: string, flags = '', skip?: RedactRule['skip']): RedactRule => ({
  kind,
  needles,
  hint,
  re: new RegExp(source, `gd${flags}`),
  skip,
});
/** The assignments (`name=`, `name: `) are found by their `=` or `:`. */
const ASSIGNED = ['=', ':'];

/** In priority order: where two rules match at the same place, the earlier one names the kind. */
export const BUILT_IN_RULES: readonly RedactRule[] = [
  rule('PRIVATE_KEY', ['-----BEGIN'], 'PRIVATE KEY', String.raw`-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)`),
  rule('JWT', ['.eyJ'], 'eyJ', String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
  rule('ANTHROPIC_KEY', ['sk-ant-'], 'sk-ant-', String.raw`\bsk-ant-[A-Za-z0-9_-]{16,}`),
  rule('STRIPE_KEY', ['_live_', '_test_', 'whsec_'], /_(?:live|test)_|whsec_/, String.raw`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|\bwhsec_[A-Za-z0-9]{20,}`),
  rule('OPENAI_KEY', ['sk-'], 'sk-', String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`),
  rule('AWS_KEY', ['AKIA', 'ASIA', 'ABIA', 'ACCA'], /AKIA|ASIA|ABIA|ACCA/, String.raw`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`),
  rule('AWS_SECRET_KEY', ASSIGNED, /secret_?access_?key/i, String.raw`aws_?secret_?access_?key["']?\s*[=:]\s*["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`, 'i'),
  rule('GITHUB_TOKEN', ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], /gh[pousr]_|github_pat_/, String.raw`\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}`),
  rule('GITLAB_TOKEN', ['glpat-', 'gldt-', 'glptt-', 'glrt-', 'glcbt-'], /gl(?:pat|dt|ptt|rt|cbt)-/, String.raw`\bgl(?:pat|dt|ptt|rt|cbt)-[A-Za-z0-9_-]{20,}`),
  rule('NPM_TOKEN', ['npm_'], 'npm_', String.raw`\bnpm_[A-Za-z0-9]{30,}`),
  rule('HUGGINGFACE_TOKEN', ['hf_'], 'hf_', String.raw`\bhf_[A-Za-z0-9]{30,}`),
  rule('GOOGLE_API_KEY', ['AIza'], 'AIza', String.raw`\bAIza[0-9A-Za-z_-]{30,}`),
  rule('GOOGLE_OAUTH_TOKEN', ['ya29.', 'GOCSPX-'], /ya29\.|GOCSPX-/, String.raw`\bya29\.[0-9A-Za-z_-]{20,}|\bGOCSPX-[A-Za-z0-9_-]{20,}`),
  rule('SLACK_TOKEN', [...'abposre'].map((c) => `xox${c}-`).concat('xapp-'), /xox|xapp-/, String.raw`\bxox[abposre]-[A-Za-z0-9-]{10,}|\bxapp-\d-[A-Za-z0-9-]{10,}`),
  rule('SLACK_WEBHOOK', ['://'], 'hooks.slack.com', String.raw`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]+`),
  rule('DISCORD_WEBHOOK', ['://'], '/api/webhooks/', String.raw`https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]+`),
  rule('CONNECTION_PASSWORD', ['://'], '://', String.raw`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]+:(?<s>(?!<<REDACTED_)[^\s@/'"]+)@`),
  rule('BEARER_TOKEN', ['bearer'], /bearer/i, String.raw`\bBearer\s+(?<s>(?!<<REDACTED_)[A-Za-z0-9._~+/-]{12,}=*)`, 'i'),
  rule(
    (m) => (/^client/i.test(m[0]) ? 'CLIENT_SECRET' : /^secret/i.test(m[0]) ? 'SECRET' : 'PASSWORD'),
    ASSIGNED,
    /secret|passw/i,
    String.raw`(?<!\w)(?:client_secret|password|passwd|secret)\\?["']?\s*[=:]\s*${VALUE}`,
    'i',
    (s) => s.length < 4 || notAValue(s),
  ),
  rule('ENV_SECRET', ASSIGNED, /(?:key|token|secret|passw(?:ord|d)|credentials?|pat)\\?["']?\s*[=:]/i, String.raw`(?<!\w)(?:[A-Za-z][A-Za-z0-9]*[_-])+(?:api[_-]?)?(?:key|token|secret|password|passwd|credentials?|pat)\\?["']?\s*[=:]\s*${VALUE}`, 'i', (s) => s.length < 8 || notAValue(s)),
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
