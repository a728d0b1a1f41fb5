/** Task files and the MCP tools take one task shape (core/dag/taskSchema); what is wrong is named with its task. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import type { SwitchboardError } from '../../src/core/errors';
import { readTaskFile, taskSpecsFromJson } from '../../src/core/dag/taskJson';
import { MAX_TASKS, taskSchema } from '../../src/core/dag/taskSchema';
import { describeIssues } from '../../src/core/zodIssues';
import { taskInput, taskSpec } from '../../src/ops/teamSchemas';

const refusal = (value: unknown): SwitchboardError => {
  try {
    taskSpecsFromJson(value, 'plan.tasks.json');
  } catch (error) {
    return error as SwitchboardError;
  }
  return assert.fail(`${JSON.stringify(value)} was taken`);
};

describe('task files', () => {
  it('take an array or { tasks }, depends_on or dependsOn, a $schema, and leave unknown fields out', () => {
    const tasks = [{ id: 'T1', title: ' Schema ', estimate: 3 }, { title: 'API', description: 'REST', dependsOn: ['T1'], role: 'executor' }, { id: 'T3', title: 'Docs', depends_on: ['T1', 'T2'] }];
    const expected = [{ id: 'T1', title: 'Schema' }, { title: 'API', description: 'REST', dependsOn: ['T1'], role: 'executor' }, { id: 'T3', title: 'Docs', dependsOn: ['T1', 'T2'] }];
    assert.deepEqual(taskSpecsFromJson(tasks, 'f'), expected);
    assert.deepEqual(taskSpecsFromJson({ $schema: '../dist/schemas/tasks.schema.json', tasks }, 'f'), expected);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tasks-'));
    try {
      fs.writeFileSync(path.join(dir, 'login.tasks.json'), JSON.stringify({ tasks }));
      assert.deepEqual(readTaskFile(path.join(dir, 'login.tasks.json')), expected);
      fs.writeFileSync(path.join(dir, 'broken.tasks.json'), '[{"title": "a",]');
      assert.throws(() => readTaskFile(path.join(dir, 'broken.tasks.json'), 'broken.tasks.json'), { message: /^broken\.tasks\.json cannot be read as JSON/ });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name the task and the field that is wrong, and give the expected shape', () => {
    const cases: [unknown, string][] = [
      [{ steps: [] }, 'plan.tasks.json: there is no list of tasks.'],
      [[], 'plan.tasks.json: the list of tasks is empty.'],
      [Array.from({ length: MAX_TASKS + 1 }, () => ({ title: 'x' })), `plan.tasks.json: the list of tasks has ${MAX_TASKS + 1} tasks, more than the ${MAX_TASKS} a team takes.`],
      [[{ title: 'a' }, 'b'], 'plan.tasks.json: task 2 is not an object.'],
      [[{ title: 'a' }, { title: 'b' }, { id: 'T3' }], 'plan.tasks.json: task 3 has no "title".'],
      [[{ title: '  ' }], 'plan.tasks.json: task 1: "title" must say what to do.'],
      [[{ title: 'a', id: 3 }], 'plan.tasks.json: task 1: "id" must be a string, not number 3.'],
      [[{ title: 'a', id: '' }], 'plan.tasks.json: task 1: "id" must not be empty.'],
      [[{ title: 'a', description: {} }], 'plan.tasks.json: task 1: "description" must be a string, not an object.'],
      [[{ title: 'a', depends_on: 'T2' }], 'plan.tasks.json: task 1: "depends_on" must be an array, not "T2".'],
      [[{ title: 'a', dependsOn: ['T1', 2] }], 'plan.tasks.json: task 1: "dependsOn.1" must be a string, not number 2.'],
      [[{ title: 'a', role: false }], 'plan.tasks.json: task 1: "role" must be a string, not boolean false.'],
      [[{ id: 3 }, {}], 'plan.tasks.json: task 1: "id" must be a string, not number 3; task 1 has no "title"; task 2 has no "title".'],
    ];
    for (const [value, message] of cases) {
      const error = refusal(value);
      assert.equal(error.code, 'invalid_argument');
      assert.equal(error.message, message);
      assert.match(error.hint!, /^Give a JSON array of \{"id"\?, "title", "description"\?, "depends_on"\?: \["T1", \.\.\.\], "role"\?, "model"\?\}\.$/);
    }
    assert.match(refusal(Array.from({ length: 8 }, () => ({}))).message, /task 5 has no "title"; and 3 more problems\.$/);
  });

  it('share their fields with the MCP tools, which refuse unknown fields and dependsOn', () => {
    assert.deepEqual(Object.keys(taskInput.shape), Object.keys(taskSchema.shape));
    assert.deepEqual(Object.keys(taskSchema.shape), ['id', 'title', 'description', 'depends_on', 'role', 'model']);
    const schema = z.toJSONSchema(taskInput, { io: 'input', target: 'draft-7' }) as { properties: Record<string, { description?: string }>; additionalProperties: boolean; required: string[] };
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['title']);
    for (const field of Object.values(schema.properties)) assert.ok(field.description);
    assert.deepEqual(taskSpec(taskInput.parse({ title: 'a', depends_on: ['T1'] })), { title: 'a', dependsOn: ['T1'] });
    const refused = taskInput.safeParse({ title: 'a', dependsOn: ['T1'] });
    assert.equal(refused.success, false);
    assert.equal(describeIssues(refused.error!.issues, { title: 'a', dependsOn: ['T1'] }), 'unknown field `dependsOn`');
  });
});
