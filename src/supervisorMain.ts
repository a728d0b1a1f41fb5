/** Bundle entry of the supervisor host process (dist/supervisorBundle.js, which dist/supervisor.js --host <socket> runs from a code cache). */
import { hostMain } from './core/supervisor/host';

const [flag, socketPath] = process.argv.slice(2);
if (flag !== '--host' || !socketPath) {
  process.stderr.write('usage: supervisor.js --host <socket path>\n');
  process.exit(2);
}
void hostMain(socketPath);
