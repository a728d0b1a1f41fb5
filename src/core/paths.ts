/** Where Switchboard keeps its state: SWITCHBOARD_HOME if set, else the per-user state folder of the platform. */
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SWITCHBOARD_HOME) return path.resolve(env.SWITCHBOARD_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Switchboard');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'Switchboard');
  return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'switchboard');
}

export interface StatePaths {
  root: string;
  runs: string;
  run(id: string): RunPaths;
}

export interface RunPaths {
  dir: string;
  record: string;
  output: string;
  outputIndex: string;
  events: string;
}

export function statePaths(root: string): StatePaths {
  const runs = path.join(root, 'runs');
  return {
    root,
    runs,
    run: (id) => {
      const dir = path.join(runs, id);
      return {
        dir,
        record: path.join(dir, 'run.json'),
        output: path.join(dir, 'output.log'),
        outputIndex: path.join(dir, 'output.idx'),
        events: path.join(dir, 'events.jsonl'),
      };
    },
  };
}
