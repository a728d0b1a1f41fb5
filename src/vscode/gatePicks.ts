/**
 * The gates step of New Goal and Compare Agents: the configured gates (`switchboard.goals.gates`) and
 * those detected in the workspace (all checked), for the user to confirm or uncheck; any added as
 * `name=command`, checked as it is typed; and any of them edited: required or optional, its timeout.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { detectGates } from '../core/gates/detectGates';
import { DEFAULT_GATE_TIMEOUT_MS, parseGateOption, type GateSpec } from '../core/gates/gate';
import { formatBudgetTime, parseDuration } from '../core/goals/duration';

const ADD_GATE = 'Add a gate…';
const EDIT_GATE = 'Edit a gate…';
const REQUIRED = 'Required';
const OPTIONAL = 'Optional';

type GateItem = vscode.QuickPickItem & { gate?: GateSpec };

export interface GateStep {
  /** The step's title: the list is `<title>: gates`, adding one `<title>: add a gate`. */
  title: string;
  /** The placeholders with gates found, and with none. */
  found: string;
  none: string;
  /** Where an added gate runs (`in the goal's checkout`). */
  runsIn: string;
}

/** `npm test · required · 10m timeout`: what a gate's row says of it. */
const describeGate = (gate: GateSpec): string =>
  [gate.command === gate.name ? '' : String(gate.command).trim(), gate.required === false ? 'optional' : 'required', gate.timeoutMs && gate.timeoutMs !== DEFAULT_GATE_TIMEOUT_MS ? `${formatBudgetTime(gate.timeoutMs)} timeout` : ''].filter(Boolean).join(' · ');

/** The gates kept (configured, detected and added, as edited); undefined when given up. */
export async function pickGates(workspace: string, step: GateStep, configured: readonly GateSpec[] = []): Promise<GateSpec[] | undefined> {
  const items: GateItem[] = configured.map((gate) => ({ label: gate.name, description: describeGate(gate), detail: 'Configured (switchboard.goals.gates)', picked: true, gate: { ...gate } }));
  for (const { reason, ...gate } of detectGates(workspace)) {
    if (!items.some((i) => i.label === gate.name)) items.push({ label: gate.name, description: describeGate(gate), detail: `Found: ${reason}`, picked: true, gate });
  }
  for (;;) {
    const actions: GateItem[] = [{ label: ADD_GATE, description: 'name=command, e.g. unit=npm test' }, ...(items.length ? [{ label: EDIT_GATE, description: 'required or optional, its timeout' }] : [])];
    const picked = await vscode.window.showQuickPick([...items, ...actions], {
      title: `${step.title}: gates`,
      placeHolder: items.length ? step.found : step.none,
      canPickMany: true,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    const adding = picked.some((p) => p.label === ADD_GATE);
    const editing = picked.some((p) => p.label === EDIT_GATE);
    if (!adding && !editing) return picked.flatMap((p) => (p.gate ? [p.gate] : []));
    for (const item of items) item.picked = picked.includes(item);
    if (adding) await addGate(step, items);
    if (editing && !(await editGate(step, items))) continue;
  }
}

async function addGate(step: GateStep, items: GateItem[]): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: `${step.title}: add a gate`,
    prompt: `name=command (run ${step.runsIn}, without a shell; required: Edit a gate… makes it optional or gives it a timeout)`,
    placeHolder: 'unit=npm test',
    ignoreFocusOut: true,
    validateInput: (t) => {
      try {
        const gate = parseGateOption(t);
        return items.some((i) => i.gate?.name === gate.name) ? `There is a gate "${gate.name}" already.` : undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (!text) return;
  const parsed = parseGateOption(text);
  const gate = { ...parsed, command: String(parsed.command).trim(), required: true };
  items.push({ label: gate.name, description: describeGate(gate), detail: 'Added by you', picked: true, gate });
}

/** Asks which gate, whether it is required, and its timeout; false when given up. */
async function editGate(step: GateStep, items: GateItem[]): Promise<boolean> {
  const item = await vscode.window.showQuickPick(items.map((i) => ({ label: i.label, description: i.description, item: i })), { title: `${step.title}: edit a gate`, placeHolder: 'Which gate?', ignoreFocusOut: true });
  if (!item) return false;
  const gate = item.item.gate!;
  const need = await vscode.window.showQuickPick(
    [
      { label: REQUIRED, detail: 'The work is not done unless it passes.', picked: gate.required !== false },
      { label: OPTIONAL, detail: 'It runs and its result is told, but a failure does not hold the work back.', picked: gate.required === false },
    ],
    { title: `${step.title}: ${gate.name}`, placeHolder: `Is "${gate.name}" required?`, ignoreFocusOut: true },
  );
  if (!need) return false;
  const timeout = await vscode.window.showInputBox({
    title: `${step.title}: ${gate.name} timeout`,
    prompt: `Kill "${gate.name}", with all it started, after this long (e.g. 90s, 10m; empty: 10m).`,
    value: gate.timeoutMs ? formatBudgetTime(gate.timeoutMs) : '',
    ignoreFocusOut: true,
    validateInput: (t) => {
      try {
        if (t.trim()) parseDuration(t, 'a timeout');
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (timeout === undefined) return false;
  gate.required = need.label === REQUIRED;
  if (timeout.trim()) gate.timeoutMs = parseDuration(timeout, 'a timeout');
  else delete gate.timeoutMs;
  item.item.description = describeGate(gate);
  item.item.picked = true;
  return true;
}
