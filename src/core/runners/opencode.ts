/** opencode: `opencode run --format json`; steering is interrupt + `run -s <session>`. */
import { opencodeFamilyRunner } from './opencodeJson';
import type { Runner } from './types';

/**
 * What opencode would otherwise fetch or send on its own: updates, session shares, language servers,
 * the models.dev list (it has one built in). And its native file finder, which it unpacks into the temp
 * folder on every start (5.5 MB, never removed): its file search then uses its own fallback.
 */
const OFFLINE_ENV = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_FFF: '1',
};

export const opencodeRunner: Runner = opencodeFamilyRunner({ id: 'opencode', displayName: 'opencode', defaultBinary: 'opencode', installHint: 'Install it with `npm install -g opencode-ai`, or set its path in the settings.' }, OFFLINE_ENV);
