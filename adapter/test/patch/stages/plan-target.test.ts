/**
 * Where the patched image goes: the floating tag, or the next incremental generation; an existing
 * floating tag is overwritten only when no immutable rule protects it and it was made from this source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HarborClient } from '../../../src/harbor/client';
import { PatchOutcome } from '../../../src/patch/reasons';
import { planTarget, targetTagFor } from '../../../src/patch/stages/plan-target';
import type { ImageConfig, Manifest } from '../../../src/registry/client';
import { SOURCE_DIGEST, fakeContext } from './fake-context';

const EXISTING = `sha256:${'e'.repeat(64)}`;

test('floating scheme: <tag>-<suffix>, whatever exists', () => {
  const floating = { tag_scheme: 'floating', tag_suffix: 'patched' } as const;
  assert.equal(targetTagFor('1.0', floating, []), '1.0-patched');
  assert.equal(targetTagFor('1.0', floating, ['1.0-patched', '1.0-patched-4']), '1.0-patched');
});

test("incremental scheme: one past the newest generation of this tag and suffix; other tags' generations do not count", () => {
  const incremental = { tag_scheme: 'incremental', tag_suffix: 'patched' } as const;
  assert.equal(targetTagFor('1.0', incremental, ['1.0', '1.0-patched']), '1.0-patched-1');
  assert.equal(
    targetTagFor('1.0', incremental, ['1.0-patched-1', '1.0-patched-3', '1.0-patched-x', '1.1-patched-9', '1.0-fix-7']),
    '1.0-patched-4',
  );
  assert.equal(targetTagFor('1.0', { ...incremental, tag_suffix: 'fix' }, ['1.0-fix-7', '1.0-patched-8']), '1.0-fix-8');
});

/** A Harbor whose only answer is the project's immutable tag rules; every call is counted. */
function harborWithRules(rules: unknown[]) {
  const calls: string[] = [];
  const harbor = new HarborClient('http://harbor.invalid', { kind: 'anonymous' }, 1000, async (input) => {
    const url = new URL(String(input));
    calls.push(url.pathname);
    if (url.pathname.endsWith('/immutabletagrules')) return Response.json(rules);
    return new Response('not here', { status: 500 });
  });
  return { harbor, calls };
}

/** A registry holding `tags`, where every existing patched tag names EXISTING, an image copa made from `baseImage`. */
function registryWith(tags: string[], baseImage: string) {
  const resolved: string[] = [];
  return {
    resolved,
    registry: {
      listTags: async () => tags,
      resolveDigest: async (_: string, reference: string) => {
        resolved.push(reference);
        return EXISTING;
      },
      getManifest: async (): Promise<Manifest> => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: EXISTING,
      }),
      getConfig: async (): Promise<ImageConfig> => ({ config: { labels: { BaseImage: baseImage } } }),
    },
  };
}

const rule = (tag: string) => ({
  scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
  tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: tag }],
});
const fromThisImage = `127.0.0.1:5000/library/team/app@${SOURCE_DIGEST}`;

test('an existing floating tag made from this image is overwritten; its digest is what a push must change', async () => {
  const f = fakeContext();
  const { harbor, calls } = harborWithRules([rule('*-stable')]);
  const r = registryWith(['1.0', '1.0-patched'], fromThisImage);
  const plan = await planTarget({ harbor, registry: r.registry }, f.ctx, '1.0');
  assert.deepEqual(plan, { target: '1.0-patched', floating: undefined, previousDigest: EXISTING });
  assert.deepEqual(calls, ['/api/v2.0/projects/library/immutabletagrules']);
});

test('an existing floating tag under an immutable rule is TAG_IMMUTABLE; one from another source is TAG_CONFLICT', async () => {
  const protectedTag = fakeContext();
  await assert.rejects(
    planTarget(
      {
        harbor: harborWithRules([rule('*-patched')]).harbor,
        registry: registryWith(['1.0-patched'], fromThisImage).registry,
      },
      protectedTag.ctx,
      '1.0',
    ),
    (err: unknown) => err instanceof PatchOutcome && err.code === 'TAG_IMMUTABLE' && err.status === 'Error',
  );

  const otherSource = fakeContext();
  await assert.rejects(
    planTarget(
      {
        harbor: harborWithRules([]).harbor,
        registry: registryWith(['1.0-patched'], `127.0.0.1:5000/library/other@${SOURCE_DIGEST}`).registry,
      },
      otherSource.ctx,
      '1.0',
    ),
    (err: unknown) => err instanceof PatchOutcome && err.code === 'TAG_CONFLICT',
  );
});

test('incremental scheme: a new generation, the floating tag to move afterwards, no immutable rule read', async () => {
  const f = fakeContext({ tag_scheme: 'incremental' });
  const { harbor, calls } = harborWithRules([rule('**')]);
  const r = registryWith(['1.0', '1.0-patched', '1.0-patched-2'], fromThisImage);
  const plan = await planTarget({ harbor, registry: r.registry }, f.ctx, '1.0');
  assert.deepEqual(plan, {
    target: '1.0-patched-3',
    floating: { tag: '1.0-patched', exists: true },
    previousDigest: undefined,
  });
  assert.deepEqual(calls, [], 'the generation is a new tag: immutable rules only matter when moving the floating tag');
  assert.deepEqual(r.resolved, []);
});
