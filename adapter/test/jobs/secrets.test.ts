/**
 * Secrets never reach a task's status message, its log or the API answer, even when Harbor's own
 * error text quotes them back. Here the task's reference carries the robot secret, and Harbor's 404
 * for it repeats it (no copa run: the task ends at the first Harbor call).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROBOT, startSimWithEngine, type Engine } from '../patch/harness';

let engine: Engine;
let close: () => Promise<void>;

before(async () => {
  ({ engine, close } = await startSimWithEngine());
});

after(() => close?.());

test('a Harbor error quoting the robot secret is scrubbed from the status message and the log', async () => {
  const basic = Buffer.from(`${ROBOT.name}:${ROBOT.secret}`).toString('base64');
  const execution = await engine.engine.createExecution({ project: 'library', trigger: 'ADHOC' });
  const task = await engine.engine.addTask(execution.id, {
    repository: 'sample-app',
    tag: '1.0',
    digest: `sha256:${ROBOT.secret}-${basic}`,
  });
  const done = await engine.engine.waitForTask(task.id, 60_000);
  assert.equal(done.status, 'Error');
  assert.equal(done.reason, 'NOT_FOUND', done.status_message);
  assert.match(done.status_message, /not found/);
  // (The task's own source_digest holds the secret only because this test put it there.)
  for (const text of [done.status_message, await engine.engine.logs.read(task.id)]) {
    assert.ok(!text.includes(ROBOT.secret), text);
    assert.ok(!text.includes(basic), text);
  }
  assert.match(done.status_message, /\*\*\*/);
  // No per-task work directory (and so no DOCKER_CONFIG) is left behind.
  const work = readdirSync(engine.dataDir).filter((d) => d.startsWith('work'));
  for (const dir of work) assert.deepEqual(readdirSync(join(engine.dataDir, dir)), []);
});
