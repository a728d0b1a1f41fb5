/** Bundle entry of the supervisor host process (dist/supervisorBundle.js, which dist/supervisor.js --host <entry in hosts/> runs from a code cache). */
import { hostMain } from './core/supervisor/host';

const [flag, entry] = process.argv.slice(2);
if (flag !== '--host' || !entry) {
  process.stderr.write('usage: supervisor.js --host <its socket in the state folder hosts/>\n');
  process.exit(2);
}
void hostMain(entry);
