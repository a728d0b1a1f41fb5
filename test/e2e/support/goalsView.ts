/** Reading and acting on the Switchboard Goals view, New Goal's questions and notification buttons in the workbench. */
import type { Locator, Page } from 'playwright-core';
import { listGoals } from '../../../src/core/goals/goalStore';
import { until } from '../../support/harness';
import { focusView, viewRow, waitForViewRow } from './sidebar';
import { runCommand } from './workbench';

const QUICK_INPUT = '.quick-input-widget';

/** Gives the Goals view the side bar (Agents and Teams collapsed), widened so that the screenshots show the descriptions. */
export const focusGoalsView = (page: Page, width = 560): Promise<void> => focusView(page, 'Goals', width);

/** The Goals view row whose accessible label ("<label>, <state>, <description>") starts with `prefix`. */
export const goalRow = (page: Page, prefix: string): Locator => viewRow(page, 'Goals', prefix);

/** Waits for the row of `label` in `state` (`Iteration 1`, `failed`); returns its whole accessible label. */
export const waitForGoalRow = (page: Page, label: string, state: string, timeoutMs = 60_000): Promise<string> => waitForViewRow(page, 'Goals', label, state, timeoutMs);

/** The goal started after the `before` ones, once its record is on disk. */
export async function newGoalId(stateDir: string, before: string[]): Promise<string> {
  let id: string | undefined;
  await until(() => !!(id = listGoals(stateDir).find((g) => !before.includes(g))), 30_000, 'the goal record');
  return id!;
}

/** Hovers a row and clicks its inline action with this title (`Reset Gate`). */
export async function clickInlineAction(page: Page, row: Locator, title: string): Promise<void> {
  // Away from the view first: the tooltip of a row the mouse was left on (where a menu closed) may cover this one.
  await page.mouse.move(900, 700);
  await row.hover();
  const action = row.locator(`.actions .action-label[aria-label="${title}"], .actions .action-label[title="${title}"]`).first();
  await action.waitFor({ state: 'visible', timeout: 10_000 });
  await action.click();
}

/** Clicks `button` on the notification toast that contains `text`. */
export async function clickNotificationButton(page: Page, text: string, button: string, timeoutMs = 30_000): Promise<void> {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  await toast.getByRole('button', { name: button, exact: true }).click();
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/** Waits until the quick input shows the step titled `New Goal: <step>` (or another title containing `title`). */
export async function waitForStep(page: Page, title: string): Promise<void> {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Types into the input of the step on screen and presses Enter. */
export async function answerStep(page: Page, step: string, text: string): Promise<void> {
  await waitForStep(page, step);
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.fill(text);
  await input.press('Enter');
}

/** Picks the item labelled `label` in the (single) quick pick of the step on screen. */
export async function chooseInStep(page: Page, step: string, label: string): Promise<void> {
  await waitForStep(page, step);
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.fill(label);
  await page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: label }) }).first().click();
}

/** In the multi-select quick pick on screen: checks the item labelled `label`. */
export async function checkItem(page: Page, label: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.fill(label);
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row.locator('input[type="checkbox"], .quick-input-list-checkbox, .monaco-custom-toggle').first().click();
  await input.fill('');
}

export interface NewGoalAnswers {
  objective: string;
  time?: string;
  usd?: string;
  tokens?: string;
  agents?: string;
  runner: string;
  /** Gates added as name=command (the detected ones are kept as found). */
  addGates?: string[];
  /** Gates then edited: made optional, given a timeout (`30s`). */
  editGates?: GateEdit[];
  /** `Plan with a planner worker`, or a tasks file's path relative to the workspace. */
  tasks: string;
  /** Until ready with at most this many iterations; undefined: one iteration. */
  untilReady?: number;
  /** An evaluator's bar; undefined: no review. */
  quality?: string;
}

export interface GateEdit {
  name: string;
  optional: boolean;
  timeout: string;
}

/** The gates step (`<title>: gates`): keeps the detected gates, adds these (name=command), edits those, and goes on. */
export async function answerGates(page: Page, title: string, gates: readonly string[], edits: readonly GateEdit[] = []): Promise<void> {
  for (const gate of gates) {
    await waitForStep(page, `${title}: gates`);
    await checkItem(page, 'Add a gate…');
    await page.locator(`${QUICK_INPUT} .quick-input-box input`).press('Enter');
    await answerStep(page, `${title}: add a gate`, gate);
  }
  for (const e of edits) {
    await waitForStep(page, `${title}: gates`);
    await checkItem(page, 'Edit a gate…');
    await page.locator(`${QUICK_INPUT} .quick-input-box input`).press('Enter');
    await chooseInStep(page, `${title}: edit a gate`, e.name);
    await chooseInStep(page, `${title}: ${e.name}`, e.optional ? 'Optional' : 'Required');
    await answerStep(page, `${title}: ${e.name} timeout`, e.timeout);
  }
  await waitForStep(page, `${title}: gates`);
  await page.locator(`${QUICK_INPUT} .quick-input-box input`).press('Enter');
}

/** Switchboard: New Goal… from the palette, answering each question. */
export async function newGoalFromPalette(page: Page, a: NewGoalAnswers): Promise<void> {
  await runCommand(page, 'Switchboard: New Goal…');
  await answerStep(page, 'New Goal: objective', a.objective);
  await answerStep(page, 'New Goal: time budget', a.time ?? '');
  await answerStep(page, 'New Goal: dollar budget', a.usd ?? '');
  await answerStep(page, 'New Goal: token budget', a.tokens ?? '');
  await answerStep(page, 'New Goal: agents', a.agents ?? '2');
  await chooseInStep(page, 'New Goal: runner', a.runner);
  await answerGates(page, 'New Goal', a.addGates ?? [], a.editGates);
  await chooseInStep(page, 'New Goal: tasks', a.tasks);
  await chooseInStep(page, 'New Goal: iterations', a.untilReady ? 'Until ready' : 'One iteration');
  if (a.untilReady) await answerStep(page, 'New Goal: max iterations', String(a.untilReady));
  await chooseInStep(page, 'New Goal: review', a.quality ? 'Review by an evaluator' : 'No review');
  if (a.quality) await answerStep(page, 'New Goal: quality bar', a.quality);
  await page.locator(QUICK_INPUT).waitFor({ state: 'hidden', timeout: 15_000 });
}
