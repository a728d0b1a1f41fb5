/** Bundle entry of the supervisor process (dist/supervisor.js). */
import { superviseMain } from './core/supervisor/main';

const runDir = process.argv[2];
if (!runDir) {
  process.stderr.write('usage: supervisor.js <run directory>\n');
  process.exit(2);
}
void superviseMain(runDir);
