/**
 * The gates step of New Goal and Compare Agents: the gates detected in the workspace (all checked),
 * for the user to confirm or uncheck, and any added as `name=command`, checked as it is typed.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { detectGates } from '../core/gates/detectGates';
import { parseGateOption, type GateSpec } from '../core/gates/gate';

const ADD_GATE = 'Add a gate…';

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

/** The gates kept (detected and added); undefined when given up. */
export async function pickGates(workspace: string, step: GateStep): Promise<GateSpec[] | undefined> {
  const items: GateItem[] = detectGates(workspace).map(({ reason, ...gate }) => ({
    label: gate.name,
    description: `${gate.command === gate.name ? '' : `${gate.command} · `}${gate.required ? 'required' : 'optional'}`,
    detail: `Found: ${reason}`,
    picked: true,
    gate,
  }));
  for (;;) {
    const picked = await vscode.window.showQuickPick([...items, { label: ADD_GATE, description: 'name=command, e.g. unit=npm test' }], {
      title: `${step.title}: gates`,
      placeHolder: items.length ? step.found : step.none,
      canPickMany: true,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (!picked.some((p) => p.label === ADD_GATE)) return picked.flatMap((p) => (p.gate ? [p.gate] : []));
    for (const item of items) item.picked = picked.includes(item);
    const text = await vscode.window.showInputBox({
      title: `${step.title}: add a gate`,
      prompt: `name=command (run ${step.runsIn}, without a shell; required)`,
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
    if (text) {
      const gate = parseGateOption(text);
      items.push({ label: gate.name, description: `${String(gate.command).trim()} · required`, detail: 'Added by you', picked: true, gate: { ...gate, command: String(gate.command).trim(), required: true } });
    }
  }
}
