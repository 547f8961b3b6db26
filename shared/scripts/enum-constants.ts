/**
 * The constants of the API document's named enums (components.schemas with a string `enum`), written to
 * shared/src/api/enums.ts: `PatchMode` -> `PATCH_MODES` and the type `PatchMode`. Each list is checked at
 * compile time against the type openapi-typescript generated for the same schema, so neither can drift.
 */

interface EnumSchema {
  type?: string;
  enum?: unknown[];
  description?: string;
}

/** `PatchMode` -> `PATCH_MODES`, `TaskStatus` -> `TASK_STATUSES`, `Severity` -> `SEVERITIES`. */
export function constantName(schema: string): string {
  const snake = schema.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  if (/[^AEIOU]Y$/.test(snake)) return `${snake.slice(0, -1)}IES`;
  if (/(S|X|SH|CH)$/.test(snake)) return `${snake}ES`;
  return `${snake}S`;
}

export function enumConstants(document: { components?: { schemas?: Record<string, EnumSchema> } }): string {
  const out: string[] = [
    "import type { components } from './generated';",
    '',
    "type Schemas = components['schemas'];",
    '',
    '/** The values as given, accepted only when they are exactly the members of T (none missing, none extra). */',
    'function exactly<T extends string>() {',
    '  return <const A extends readonly T[]>(values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : never)) =>',
    '    values;',
    '}',
  ];
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (schema.type !== 'string' || !Array.isArray(schema.enum)) continue;
    const values = schema.enum.map((v) => `'${String(v)}'`).join(', ');
    const doc = schema.description
      ? `/** ${schema.description.trim().replace(/\s+/g, ' ').replace(/\*\//g, '*\\/')} */\n`
      : '';
    out.push(
      '',
      `${doc}export type ${name} = Schemas['${name}'];`,
      `export const ${constantName(name)} = exactly<${name}>()([${values}]);`,
    );
  }
  return `${out.join('\n')}\n`;
}
