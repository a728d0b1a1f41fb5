/** Recorded real CLI output (test/fixtures/transcripts/<runner>/) fed to a runner's parser, for the parser tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getRunner } from '../../src/core/runners/runnerTable';
import type { LineParser } from '../../src/core/runners/types';
import type { AgentEventBody } from '../../src/core/runs/types';

export const TRANSCRIPTS = path.join(__dirname, '..', 'fixtures', 'transcripts');

/** Every line of the files through `parser` (the runner's own by default): the events, and the lines it did not take. */
export function feedTranscript(runner: string, files: string[], parser: LineParser = getRunner(runner).createParser()): { events: AgentEventBody[]; unparsed: string[] } {
  const events: AgentEventBody[] = [];
  const unparsed: string[] = [];
  for (const file of files) {
    for (const line of fs.readFileSync(path.join(TRANSCRIPTS, runner, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const parsed = parser(line);
      if (parsed) events.push(...parsed);
      else unparsed.push(line);
    }
  }
  return { events, unparsed };
}

export const ofType = <T extends AgentEventBody['type']>(events: AgentEventBody[], type: T) =>
  events.filter((e): e is Extract<AgentEventBody, { type: T }> => e.type === type);
