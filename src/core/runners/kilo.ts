/** Kilo CLI (a fork of opencode): `kilo run --format json`, opencode's output; steering is interrupt + `run -s <session>`. */
import { opencodeFamilyRunner } from './opencodeJson';
import type { Runner } from './types';

/**
 * What Kilo would otherwise fetch or send on its own: updates, session shares and uploads, language
 * servers, telemetry. Its model list is still fetched: its own gateway's models come from there.
 */
const OFFLINE_ENV = {
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_DISABLE_SHARE: '1',
  KILO_DISABLE_SESSION_INGEST: '1',
  KILO_DISABLE_LSP_DOWNLOAD: '1',
  KILO_TELEMETRY_LEVEL: 'off',
};

export const kiloRunner: Runner = opencodeFamilyRunner({ id: 'kilo', displayName: 'Kilo', defaultBinary: 'kilo', installHint: 'Install it with `npm install -g @kilocode/cli`, or set its path in the settings.' }, OFFLINE_ENV);
