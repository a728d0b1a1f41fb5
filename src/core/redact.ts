/** Removes secrets from what Switchboard stores and returns: command lines, events, error messages. */

const SECRET_FLAG = /^--?(api[-_]?key|token|secret|password|passwd|auth|authorization|bearer)$/i;
const SECRET_ASSIGNMENT = /^(--?[\w-]*(?:api[-_]?key|token|secret|password|passwd)[\w-]*=)(.+)$/i;
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bgl(?:pat|dt|ptt|rt|cbt)-[A-Za-z0-9_-]{20,}/g,
  /\bnpm_[A-Za-z0-9]{30,}/g,
  /\bhf_[A-Za-z0-9]{30,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /(\bBearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi,
];

export const REDACTED = '[REDACTED]';

/** Redacts known secret shapes and the exact values given (e.g. API keys from the environment). */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix?: string) => (typeof prefix === 'string' && /bearer/i.test(prefix) ? `${prefix}${REDACTED}` : REDACTED));
  }
  return out;
}

/** Redacts a command line: the value after a secret-looking flag, `--token=...`, and known secret shapes. */
export function redactArgs(args: readonly string[], knownSecrets: readonly string[] = []): string[] {
  return args.map((arg, i) => {
    if (i > 0 && SECRET_FLAG.test(args[i - 1]!)) return REDACTED;
    const assignment = SECRET_ASSIGNMENT.exec(arg);
    if (assignment) return assignment[1] + REDACTED;
    return redactText(arg, knownSecrets);
  });
}

/** Values of environment variables whose names say they hold a secret. */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && /KEY|TOKEN|SECRET|PASSWORD/i.test(name))
    .map(([, value]) => value!)
    .filter((value) => value.length >= 8);
}
