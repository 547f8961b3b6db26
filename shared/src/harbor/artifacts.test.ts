import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyArtifact } from './artifacts';

test('images, image indexes and everything else, from the fields Harbor lists', () => {
  const image = { type: 'IMAGE', manifest_media_type: 'application/vnd.oci.image.manifest.v1+json' };
  assert.equal(classifyArtifact(image), 'image');
  assert.equal(
    classifyArtifact({ type: 'IMAGE', manifest_media_type: 'application/vnd.docker.distribution.manifest.v2+json' }),
    'image',
  );
  assert.equal(
    classifyArtifact({ type: 'IMAGE', manifest_media_type: 'application/vnd.oci.image.index.v1+json' }),
    'index',
  );
  assert.equal(
    classifyArtifact({ manifest_media_type: 'application/vnd.docker.distribution.manifest.list.v2+json' }),
    'index',
  );
  assert.equal(classifyArtifact({ type: 'CHART', manifest_media_type: image.manifest_media_type }), 'other');
  assert.equal(
    classifyArtifact({ ...image, artifact_type: 'application/vnd.dev.cosign.artifact.sig.v1+json' }),
    'other',
  );
  assert.equal(classifyArtifact({ ...image, media_type: 'application/vnd.cncf.helm.config.v1+json' }), 'other');
  assert.equal(classifyArtifact({ ...image, media_type: 'application/vnd.oci.image.config.v1+json' }), 'image');
});
