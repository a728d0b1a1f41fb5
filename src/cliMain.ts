#!/usr/bin/env node
/** Bundle entry of the headless CLI (dist/cli.js, the package's `switchboard` bin). */
import { main } from './cli/main';

void main(process.argv.slice(2)).then((code) => process.exit(code));
