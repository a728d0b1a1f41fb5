/**
 * What a supervisor host says goes to its stderr, which is `supervisor.log` in the state folder. That
 * file may sit on a full disk: a line that cannot be written is dropped, never thrown, so that saying
 * why something failed can never become a failure of its own.
 */
let guarded = false;

export function hostLog(text: string): void {
  if (!guarded) {
    guarded = true;
    process.stderr.on('error', () => undefined);
  }
  try {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // Nowhere to say it.
  }
}
