/** Bundle entry of the supervisor host process (dist/supervisor.js --host <socket>). */
import { hostMain } from './core/supervisor/host';

const [flag, socketPath] = process.argv.slice(2);
if (flag !== '--host' || !socketPath) {
  process.stderr.write('usage: supervisor.js --host <socket path>\n');
  process.exit(2);
}
void hostMain(socketPath);
