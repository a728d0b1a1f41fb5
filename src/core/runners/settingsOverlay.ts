/**
 * A CLI setting Switchboard sets without touching the user's files. Qwen Code reads a system settings
 * file named by an environment variable, and it wins over the user's and the project's settings: the overlay is the system settings file they would read (the one the variable or the
 * platform names, when there is one) with the patch merged over it, written to a folder of the user's
 * own in the temp folder, its name made from its content (so that every run with the same settings
 * shares one file).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownTempFolder } from './ownTempFolder';
import { asRecord } from './types';

export interface SystemSettings {
  /** The CLI's name, for the overlay's folder (`qwen`). */
  cli: string;
  /** The environment variable that names the system settings file (e.g. `QWEN_CODE_SYSTEM_SETTINGS_PATH`). */
  envVar: string;
  /** Where the CLI looks when the variable is not set, by platform (`linux` for any other). */
  defaultPaths: { linux: string; darwin: string; win32: string };
  /**
   * What an overlay over no settings of the system's also holds: the settings' schema version, without
   * which the CLI writes it into the file (Qwen Code moves the file aside and back as it does, and a run
   * starting meanwhile with the same overlay would find none).
   */
  versionStamp?: Record<string, unknown>;
}

function merged(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const a = asRecord(out[key]);
    const b = asRecord(value);
    out[key] = a && b ? merged(a, b) : value;
  }
  return out;
}

/** The system settings the CLI would read: {} when there are none; undefined when the file is there but not plain JSON (it is then left alone). */
function currentSettings(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    return asRecord(JSON.parse(text)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The environment that makes the CLI read its system settings with `patch` over them; {} when that cannot be done safely. */
export function settingsOverlay(spec: SystemSettings, patch: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const platform = process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
  const current = currentSettings(env[spec.envVar]?.trim() || spec.defaultPaths[platform]);
  if (!current) return {};
  const base = Object.keys(current).length === 0 ? { ...spec.versionStamp } : current;
  const text = `${JSON.stringify(merged(base, patch), null, 2)}\n`;
  const dir = ownTempFolder(`switchboard-${spec.cli}-settings`, true);
  if (!dir) return {};
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`);
  try {
    if (!fs.existsSync(file)) {
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, text, { mode: 0o600 });
      fs.renameSync(temp, file);
    }
  } catch {
    return {};
  }
  return { [spec.envVar]: file };
}
