/** The planner step's plan: found in the file or the answer's fenced block, checked, and rejected with a reason a planner can act on. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { taskSpecsFromJson } from '../../src/core/dag/taskJson';
import { findPlanText, plannerPrompt, readPlan } from '../../src/core/teams/planner';
import { tempDir } from '../support/harness';

const rejects = (pattern: RegExp) => (e: SwitchboardError) => e.code === 'invalid_argument' && pattern.test(e.message);
const fence = (value: unknown): string => `Here it is.\n\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\`\nThat is all.`;

describe('planner', () => {
  let planFile: string;
  beforeEach(() => (planFile = path.join(tempDir('sb-plan-'), 'plan.json')));
  const request = () => ({ planFile, roles: ['executor', 'reviewer'] });

  it('reads the last json block of the answer, with depends_on or dependsOn and roles', () => {
    const answer = `First draft:\n\`\`\`json\n[{"title":"old"}]\n\`\`\`\n${fence({ tasks: [{ id: 'T1', title: 'schema' }, { id: 'T2', title: 'api', depends_on: ['T1'] }, { title: 'review', dependsOn: ['T2'], role: 'reviewer' }] })}`;
    const specs = readPlan(answer, request(), Date.now());
    assert.deepEqual(specs, [{ id: 'T1', title: 'schema' }, { id: 'T2', title: 'api', dependsOn: ['T1'] }, { title: 'review', dependsOn: ['T2'], role: 'reviewer' }]);
  });

  it('prefers a plan file written since the planner started, and takes a bare JSON answer', () => {
    const since = Date.now();
    fs.writeFileSync(planFile, JSON.stringify([{ title: 'from the file' }]));
    assert.equal(readPlan(fence([{ title: 'from the answer' }]), request(), since)[0]!.title, 'from the file');
    fs.rmSync(planFile);
    assert.equal(readPlan('  [{"title": "bare"}]  ', request(), since)[0]!.title, 'bare');
    assert.equal(findPlanText('no plan here', planFile, since), undefined);
  });

  it('rejects a missing, malformed, cyclic or unassignable plan, saying why', () => {
    const now = Date.now();
    assert.throws(() => readPlan('I could not make a plan.', request(), now), rejects(/No plan was found: nothing was written to .*plan\.json and the answer has no fenced/));
    assert.throws(() => readPlan('```json\n[{"title": "x",]\n```', request(), now), rejects(/is not valid JSON/));
    assert.throws(() => readPlan(fence([]), request(), now), rejects(/the list of tasks is empty/));
    assert.throws(() => readPlan(fence([{ id: 'T1' }]), request(), now), rejects(/task 1 has no "title"/));
    assert.throws(() => readPlan(fence([{ title: 'a', depends_on: 'T2' }]), request(), now), rejects(/task 1: "depends_on" must be an array/));
    assert.throws(() => readPlan(fence([{ id: 'T3', title: 'a', depends_on: ['T5'] }, { id: 'T5', title: 'b', depends_on: ['T3'] }]), request(), now), rejects(/cycle: T3 -> T5 -> T3/));
    assert.throws(() => readPlan(fence([{ id: 'T1', title: 'a', depends_on: ['T9'] }]), request(), now), rejects(/Task T1 depends on T9, which is not a task/));
    assert.throws(() => readPlan(fence([{ title: 'a', role: 'designer' }]), request(), now), rejects(/role designer, which no worker of the team has \(executor, reviewer\)/));
  });

  it('asks for the plan in a known file or a fenced block, and passes the rejection back on the retry', () => {
    const first = plannerPrompt('You are the planner.', { goal: 'add login', planFile, roles: ['executor'] });
    assert.match(first, /You are the planner\.[\s\S]*Team goal: add login[\s\S]*plan\.json, or end your answer with it in a fenced ```json block/);
    assert.doesNotMatch(first, /Give a task a "role"/);
    const retry = plannerPrompt('You are the planner.', { goal: 'add login', planFile, roles: ['executor', 'reviewer'], rejected: 'The tasks depend on each other in a cycle: T1 -> T2 -> T1.' });
    assert.match(retry, /Give a task a "role" \(executor, reviewer\)[\s\S]*Your previous plan was rejected: The tasks depend on each other in a cycle: T1 -> T2 -> T1\. Give a corrected plan\./);
  });

  it('task lists as JSON: an array or {tasks}, each checked with the task named', () => {
    assert.equal(taskSpecsFromJson({ tasks: [{ title: 'x' }] }, 'f').length, 1);
    assert.throws(() => taskSpecsFromJson({ steps: [] }, 'tasks.json'), rejects(/^tasks\.json: there is no list of tasks\.$/));
    assert.throws(() => taskSpecsFromJson([{ title: 'x' }, 'y'], 'tasks.json'), rejects(/task 2 is not an object/));
    assert.throws(() => taskSpecsFromJson([{ title: 'x', id: 3 }], 'tasks.json'), rejects(/task 1: "id" must be a string/));
  });
});
