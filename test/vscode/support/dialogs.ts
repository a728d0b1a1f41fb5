/**
 * How an in-host test has a modal dialog answered: an extension cannot answer another's modal
 * dialog through the API, so the test writes the button to click into the folder named by
 * SWITCHBOARD_INHOST_DIALOGS, and the harness outside (test/inhost, which has the workbench's page)
 * clicks it and writes back the dialog's text. Both sides use these names; files are written whole.
 */
import * as fs from 'node:fs';

export const DIALOG_REQUEST = 'request.json';
export const DIALOG_ANSWER = 'answer.json';
export interface DialogRequest {
  button: string;
}
export type DialogAnswer = { text: string } | { error: string };

/** Writes `value` as JSON whole (renamed into place), so that the other side never reads half of it. */
export function writeJsonWhole(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.part`, JSON.stringify(value));
  fs.renameSync(`${file}.part`, file);
}

/** Reads a JSON file once it is there (undefined before, or while half written). */
export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
