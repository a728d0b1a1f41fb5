/** Mocha root hooks: every temp folder made through the harness is removed after the run, its processes killed. */
import { removeTempDirs } from './harness';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await removeTempDirs();
  },
};
