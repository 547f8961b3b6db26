// A node:test reporter that counts results and writes them to
// $HP_TEST_RESULTS/<suite>.json, so the top-level test command can print one total and the slowest files.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, fileMs: {} };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Each file's top-level tests and suites add up to the file's time.
    if (event.data.nesting === 0 && event.data.file) {
      const file = relative(process.cwd(), event.data.file);
      counts.fileMs[file] = (counts.fileMs[file] ?? 0) + Math.round(event.data.details?.duration_ms ?? 0);
    }
    // Suites (describe) report too; count only leaf tests.
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip || event.data.todo) counts.skipped++;
    else if (event.type === 'test:pass') counts.passed++;
    else counts.failed++;
  }
  const dir = process.env.HP_TEST_RESULTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${process.env.HP_TEST_SUITE ?? 'suite'}.json`), JSON.stringify(counts));
  }
  yield '';
}
