/**
 * Writes package.json's `contributes.languageModelTools` from the operations (run with
 * `npx tsx scripts/syncChatTools.ts` after changing an operation); test/unit/chatTools.test.ts
 * fails until it is run. Only that key changes; the file keeps its two-space layout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OPERATIONS } from '../src/ops/operations';
import { toolContribution } from '../src/chat/toolManifest';

const file = path.join(__dirname, '..', 'package.json');
const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { contributes: Record<string, unknown> };
manifest.contributes.languageModelTools = OPERATIONS.map(toolContribution);
fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package.json: ${OPERATIONS.length} language model tools`);
