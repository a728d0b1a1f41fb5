/**
 * The CLI's gate flags besides `--gate "name=command"`: `--gate-optional NAME` (the gate is run and
 * told, not required) and `--gate-timeout NAME=DURATION` (`90s`, `10m`, or seconds), each naming one
 * of the gates at hand (given, configured or detected).
 */
import { parseDuration } from '../core/goals/duration';
import type { GateSpec } from '../core/gates/gate';
import { usageError } from './usage';

export const GATE_FLAGS = {
  'gate-optional': { type: 'string', multiple: true },
  'gate-timeout': { type: 'string', multiple: true },
} as const;

export interface GateFlagValues {
  'gate-optional'?: string[];
  'gate-timeout'?: string[];
}

export const hasGateFlags = (values: GateFlagValues): boolean => !!(values['gate-optional']?.length || values['gate-timeout']?.length);

/** `specs` with the flags applied; a usage error names a gate that is not among them, or a duration it cannot read. */
export function applyGateFlags(command: string, specs: readonly GateSpec[], values: GateFlagValues): GateSpec[] {
  const out = specs.map((s) => ({ ...s }));
  const find = (name: string, flag: string): GateSpec => {
    const gate = out.find((s) => s.name === name);
    if (!gate) throw usageError(command, `${flag} ${name}: there is no gate "${name}" (the gates: ${out.map((s) => `"${s.name}"`).join(', ') || 'none'})`);
    return gate;
  };
  for (const name of values['gate-optional'] ?? []) find(name, '--gate-optional').required = false;
  for (const text of values['gate-timeout'] ?? []) {
    const at = text.lastIndexOf('=');
    if (at <= 0) throw usageError(command, `--gate-timeout "${text}": write it as NAME=DURATION, e.g. --gate-timeout "unit=15m"`);
    const gate = find(text.slice(0, at), '--gate-timeout');
    const duration = text.slice(at + 1).trim();
    try {
      gate.timeoutMs = /^\d+(\.\d+)?$/.test(duration) ? Math.round(Number(duration) * 1000) : parseDuration(duration, 'a gate timeout');
    } catch (error) {
      throw usageError(command, `--gate-timeout "${text}": ${(error as Error).message} Write it like 90s, 10m or 600 (seconds).`);
    }
    if (!(gate.timeoutMs > 0)) throw usageError(command, `--gate-timeout "${text}": the timeout must be more than zero`);
  }
  return out;
}
