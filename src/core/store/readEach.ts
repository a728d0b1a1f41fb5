/** Reading every record of a kind (goals, teams) for a listing, where one bad record must not hide the rest. */
import { errorMessage, SwitchboardError } from '../errors';

/**
 * What `read` gives for each of `keys`. One that cannot be read (corrupt, and set aside) is left out
 * and told to `warn` with why, never dropped in silence; one gone since it was listed is just left out.
 */
export function readEach<K, T>(keys: readonly K[], read: (key: K) => T, warn: (message: string) => void): T[] {
  return keys.flatMap((key) => {
    try {
      return [read(key)];
    } catch (error) {
      if (!(error instanceof SwitchboardError && error.code.startsWith('unknown_'))) warn(errorMessage(error));
      return [];
    }
  });
}
