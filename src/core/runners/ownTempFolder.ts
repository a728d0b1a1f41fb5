/** A folder of this user's own in the temp folder, for files Switchboard hands to a CLI (undefined when it cannot be made safely). */
import * as fs from 'node:fs';
import { tempFolder } from '../store/tempFolder';
import * as path from 'node:path';

/** `<tmp>/<name>-<uid>`, made owner-only when `create`; refused when it is not a folder of this user's. */
export function ownTempFolder(name: string, create: boolean): string | undefined {
  const uid = process.getuid?.();
  const dir = path.join(tempFolder(), `${name}-${uid ?? 'user'}`);
  try {
    if (create) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) ? dir : undefined;
  } catch {
    return undefined;
  }
}
