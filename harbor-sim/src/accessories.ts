// Accessories as Harbor records them (src/pkg/accessory, the cosign and subject middlewares of
// src/server/middleware): a cosign signature pushed under the tag `sha256-<hex>.sig` with a simplesigning
// layer, and any manifest with an OCI 1.1 `subject`, typed by its artifactType (or config media type).
// Harbor keeps them as rows; the stand-in derives them from what the registry holds.
import type { ArtifactRecord } from './catalog';
import type { SimState } from './state';

export interface Accessory {
  id: number;
  artifact_id: number;
  subject_artifact_id: number;
  subject_artifact_digest: string;
  subject_artifact_repo: string;
  size: number;
  digest: string;
  type: string;
  icon: string;
  creation_time: string;
}

const COSIGN_TAG = /^sha256-([a-f0-9]{64})\.sig$/;
const COSIGN_LAYER = 'application/vnd.dev.cosign.simplesigning.v1+json';

/** src/server/middleware/subject/subject.go: the accessory type of a referrer by its artifactType. */
const SUBJECT_TYPES: Record<string, string> = {
  'application/vnd.cncf.notary.signature': 'signature.notation',
  'application/vnd.dev.cosign.artifact.sig.v1+json': 'signature.cosign',
  'application/vnd.dev.sigstore.bundle.v0.3+json': 'signature.cosign',
  'application/vnd.goharbor.harbor.sbom.v1': 'sbom.harbor',
};

/** src/lib/icon/const.go */
const ICONS: Record<string, string> = {
  'signature.cosign': 'sha256:20401d5b3a0f6dbc607c8d732eb08471af4ae6b19811a4efce8c6a724aed2882',
  'signature.notation': 'sha256:3ac706e102bbe9362b400aa162df58135d35e66b9c3bee2165de92022d25fe34',
  'sbom.harbor': 'sha256:c19f80c357cd7e90d2a01b9ae3e2eb62ce447a2662bb590a19177d72d550bdae',
};

/** What an artifact is an accessory of, and of which type; undefined when it is none. */
export function accessoryOf(a: ArtifactRecord): { subject: string; type: string } | undefined {
  for (const tag of a.tags) {
    const m = COSIGN_TAG.exec(tag.name);
    if (m && a.layer_media_types.includes(COSIGN_LAYER)) return { subject: `sha256:${m[1]}`, type: 'signature.cosign' };
  }
  if (a.subject) return { subject: a.subject, type: SUBJECT_TYPES[a.artifact_type] ?? 'subject.accessory' };
  return undefined;
}

/** Sets `accessory` on every accessory of the list and `accessories` on their subjects. */
export function linkAccessories(state: SimState, repository: string, artifacts: ArtifactRecord[]): void {
  const byDigest = new Map(artifacts.map((a) => [a.digest, a]));
  for (const a of artifacts) a.accessories = [];
  for (const a of artifacts) {
    const of = accessoryOf(a);
    if (!of) continue;
    const subject = byDigest.get(of.subject);
    a.accessory = {
      id: state.idFor('accessory', `${repository}@${a.digest}`),
      artifact_id: a.id,
      subject_artifact_id: subject?.id ?? 0,
      subject_artifact_digest: of.subject,
      subject_artifact_repo: repository,
      size: a.size,
      digest: a.digest,
      type: of.type,
      icon: ICONS[of.type] ?? '',
      creation_time: a.push_time,
    };
    subject?.accessories.push(a.accessory);
  }
  for (const a of artifacts) a.accessories.sort((x, y) => x.id - y.id);
}

/** Harbor's cosign content trust: the artifact has a `signature.cosign` accessory (contenttrust.go). */
export function isCosignSigned(a: ArtifactRecord): boolean {
  return a.accessories.some((x) => x.type === 'signature.cosign');
}
