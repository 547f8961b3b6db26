// A node:test reporter that counts results and writes them to
// $HP_TEST_RESULTS/<suite>.json, so the top-level test command can print one total and the slowest files.
// fileMs: a file's top-level tests added up. wallMs: from the previous file's last event to this file's last
// (files run one at a time), so it also holds the file's start-up (process, tsx, imports) and its
// before/after hooks, which fileMs leaves out.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, fileMs: {}, wallMs: {} };
  let lastFile;
  let lastAt = Date.now();
  let fileStart = lastAt;
  for await (const event of source) {
    const eventFile = event.data?.file ? relative(process.cwd(), event.data.file) : undefined;
    if (eventFile) {
      const now = Date.now();
      if (eventFile !== lastFile) {
        fileStart = lastAt;
        lastFile = eventFile;
      }
      counts.wallMs[eventFile] = now - fileStart;
      lastAt = now;
    }
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
