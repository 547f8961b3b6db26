/**
 * A task's progress from a recorded real copa run (fixtures/copa-rawjson.jsonl, made by
 * e2e/scripts/record-copa-progress.ts): replayed through the same splitter, tracker and stage weights
 * a task uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressTracker, TASK_STAGES, TaskProgressMeter, lineSplitter, type Progress } from '../../src/patch/progress';

const recording = readFileSync(join(import.meta.dirname, 'fixtures/copa-rawjson.jsonl'), 'utf8');

function replay(chunkSize: number) {
  const samples: Progress[] = [];
  const meter = new TaskProgressMeter((p) => samples.push({ ...p }));
  meter.at('resolve');
  meter.at('copa', 0, 'Reading OS release');
  const copaStart = samples.length;
  meter.at('copa');
  const tracker = new ProgressTracker();
  const lines: string[] = [];
  const split = lineSplitter(
    (s) => {
      const { progress } = tracker.update(s);
      meter.at('copa', progress.fraction, progress.stage);
    },
    (l) => lines.push(l),
  );
  // Chunks cut anywhere, as a pipe delivers them.
  for (let i = 0; i < recording.length; i += chunkSize) split.push(recording.slice(i, i + chunkSize));
  split.end();
  const copa = samples.slice(copaStart);
  meter.at('verify');
  meter.at('rescan');
  return { samples, copa, lines };
}

test('a recorded copa run moves the percent through the copa stage in many steps, never back', () => {
  const { samples, copa, lines } = replay(4096);
  for (let i = 1; i < samples.length; i++) {
    assert.ok(
      samples[i].percent >= samples[i - 1].percent,
      `went back from ${JSON.stringify(samples[i - 1])} to ${JSON.stringify(samples[i])}`,
    );
  }
  const copaStart = TASK_STAGES.resolve.weight + TASK_STAGES.scan.weight;
  const copaEnd = copaStart + TASK_STAGES.copa.weight;
  const percents = copa.map((p) => p.percent);
  assert.equal(percents[0], copaStart, 'copa starts where resolve and scan end');
  assert.ok(new Set(percents).size >= 8, `copa moved the percent in ${new Set(percents).size} steps: ${percents}`);
  assert.ok(Math.max(...percents) >= copaEnd - 5, `copa's last vertexes bring it near ${copaEnd}: ${percents}`);
  assert.ok(Math.max(...percents) <= copaEnd, 'copa never runs into the verify stage');

  // While copa installs the updates (most of its time), the bar sits well inside the copa stage.
  const installing = copa.filter((p) => p.stage === 'Installing 3 security updates').map((p) => p.percent);
  assert.ok(installing.length > 0, `stages: ${[...new Set(copa.map((p) => p.stage))].join(' | ')}`);
  assert.ok(
    Math.min(...installing) > copaStart + 20 && Math.max(...installing) < copaEnd - 10,
    `installing at ${installing}`,
  );
  for (const stage of ['Updating package database', 'exporting to image']) {
    assert.ok(
      copa.some((p) => p.stage === stage),
      stage,
    );
  }
  assert.ok(
    copa.every((p) => !p.stage.includes('\n') && p.stage.length < 200),
    'stage texts are one line',
  );

  assert.deepEqual(samples.slice(-2), [
    { stage: 'Verifying pushed image', percent: copaEnd },
    { stage: 'Re-scanning patched image', percent: copaEnd + TASK_STAGES.verify.weight },
  ]);
  assert.ok(
    samples.every((p) => p.percent < 100),
    '100 is left to the end of a successful task',
  );
  assert.ok(lines.some((l) => l.includes('Patched image (linux/amd64)')));
});

test('how the stream is cut into chunks does not change the progress', () => {
  const whole = replay(recording.length).samples;
  assert.deepEqual(replay(7).samples, whole);
  assert.deepEqual(replay(333).samples, whole);
});
