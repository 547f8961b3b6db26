// What kind of thing a Harbor artifact is, as far as patching cares: the adapter decides with it before
// copa runs, and the portal with it which artifacts the Patch button can take.

const IMAGE_MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

const IMAGE_INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** The fields of Harbor's artifact model that tell its kind. */
export interface ArtifactKindFields {
  type?: string;
  media_type?: string;
  manifest_media_type?: string;
  artifact_type?: string;
}

/** An image, an image index (multi-platform), or something else (Helm chart, signature, SBOM, ...). */
export function classifyArtifact(a: ArtifactKindFields): 'image' | 'index' | 'other' {
  const media = a.manifest_media_type ?? '';
  if (a.type && a.type.toUpperCase() !== 'IMAGE') return 'other';
  if (IMAGE_INDEX_TYPES.has(media)) return 'index';
  if (!IMAGE_MANIFEST_TYPES.has(media) && media !== '') return 'other';
  // An OCI manifest with an artifactType is a signature, SBOM or other non-image artifact.
  const imageConfig = /image\.config|container\.image/;
  if (a.artifact_type && !imageConfig.test(a.artifact_type)) return 'other';
  const configType = a.media_type ?? '';
  if (configType && !imageConfig.test(configType)) return 'other';
  return 'image';
}
