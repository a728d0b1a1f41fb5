/**
 * A timer for as long as a person may ask: Node's setTimeout holds at most 2^31-1 ms (24.8 days), and
 * a longer delay fires at once (with only a warning), so `wait --timeout 9999999` timed out at once and
 * a run's 99999h time limit stopped it as it started. Longer delays are waited for in steps.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/** Calls `fire` once `ms` have passed (at once when 0 or less), unless cleared first. */
export function setLongTimeout(fire: () => void, ms: number): LongTimeout {
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = due - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fire, Math.max(0, left));
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
