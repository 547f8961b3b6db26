/** The layers of ARCHITECTURE.md hold: the lint refuses an import that points up, and accepts one that points down. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const adapterDir = join(import.meta.dirname, '..');

async function layerProblems(file: string, source: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: adapterDir,
    // The layer rule needs no type information, and these example files are not in the TypeScript project.
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  });
  const [result] = await eslint.lintText(source, { filePath: join(adapterDir, file) });
  const fatal = result.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file} could not be linted: ${fatal.message}`);
  return result.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

test('an import up the layers fails the lint, naming the rule to read', async () => {
  const cases: [string, string][] = [
    ['src/store/example.ts', "import { sendError } from '../http/errors';\nexport const x = sendError;\n"],
    ['src/model/example.ts', "import type { Db } from '../store/db';\nexport type X = Db;\n"],
    ['src/harbor/example.ts', "import type { PatchEngine } from '../jobs/engine';\nexport type X = PatchEngine;\n"],
    ['src/controller/example.ts', "import { API_BASE } from '../http/api';\nexport const x = API_BASE;\n"],
    [
      'src/jobs/example.ts',
      "import type { PatchController } from '../controller/patch';\nexport type X = PatchController;\n",
    ],
  ];
  for (const [file, source] of cases) {
    const problems = await layerProblems(file, source);
    assert.equal(problems.length, 1, `${file}: ${source}`);
    assert.match(problems[0], /may not import from a layer above it.*ARCHITECTURE\.md/);
  }
});

test('an import down the layers, or within one, passes', async () => {
  const cases: [string, string][] = [
    [
      'src/http/example.ts',
      "import type { PolicyController } from '../controller/policies';\nexport type X = PolicyController;\n",
    ],
    ['src/controller/example.ts', "import type { PatchEngine } from '../jobs/engine';\nexport type X = PatchEngine;\n"],
    [
      'src/webhooks/example.ts',
      "import type { PolicyRunner } from '../policies/run';\nexport type X = PolicyRunner;\n",
    ],
    ['src/store/example.ts', "import type { Task } from '../model/execution';\nexport type X = Task;\n"],
  ];
  for (const [file, source] of cases) assert.deepEqual(await layerProblems(file, source), [], file);
});
