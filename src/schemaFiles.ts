/**
 * The JSON Schemas editors use for config.json and task files (package.json `jsonValidation`),
 * made from the zod schemas the code checks those files with. esbuild.mjs writes them into
 * dist/schemas/ at build time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { configFileSchema } from './core/configSchema';
import { taskFileSchema } from './core/dag/taskSchema';

/** The files, by name, with the schema each is made from. */
export const SCHEMA_FILES = {
  'config.schema.json': configFileSchema(),
  'tasks.schema.json': taskFileSchema,
} as const;

/** A schema as draft-07 JSON Schema (what VS Code's JSON support knows best), as the file is written. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    override: ({ jsonSchema }) => {
      // z.int() bounds itself to safe integers; that says nothing to a person editing the file.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      // VS Code renders this one as markdown in hovers (the texts quote names in `backticks`).
      if (typeof jsonSchema.description === 'string') (jsonSchema as Record<string, unknown>).markdownDescription = jsonSchema.description;
    },
  }) as Record<string, unknown>;
}

/** Writes every schema file into `dir`; returns their paths. */
export function writeSchemaFiles(dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(SCHEMA_FILES).map(([name, schema]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${JSON.stringify(jsonSchemaOf(schema), null, 2)}\n`);
    return file;
  });
}
