/** Which agent CLIs are installed, from Doctor, checked once and again when the settings change. */
import { runDoctor, type DoctorReport } from '../core/doctor';
import type { ExtensionSettings } from './settings';

export class RunnerAvailability {
  private report: Promise<DoctorReport> | undefined;

  constructor(private readonly settings: () => ExtensionSettings) {}

  get(refresh = false): Promise<DoctorReport> {
    if (refresh || !this.report) {
      const s = this.settings();
      this.report = runDoctor(s.stateDir, s.config);
    }
    return this.report;
  }

  invalidate(): void {
    this.report = undefined;
  }
}
