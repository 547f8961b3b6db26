/** Harbor labels: global ones and a project's own. */
import type { HarborAuth, HarborClient } from './client';
import type { components } from './generated';

export type HarborLabelResp = components['schemas']['Label'];

const PAGE_SIZE = 100;
const MAX_PAGES = 50;

async function listAll(client: HarborClient, query: Record<string, string | number>, auth?: HarborAuth) {
  const out: HarborLabelResp[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const batch = await client.get<HarborLabelResp[]>('/labels', {
      auth,
      query: { ...query, page, page_size: PAGE_SIZE },
    });
    if (!Array.isArray(batch)) break;
    out.push(...batch);
    if (batch.length < PAGE_SIZE) break;
  }
  return out;
}

/** Global labels (`scope=g`). */
export function listGlobalLabels(client: HarborClient, auth?: HarborAuth): Promise<HarborLabelResp[]> {
  return listAll(client, { scope: 'g' }, auth);
}

/** The project's own labels (`scope=p&project_id=N`); needs label:list in the project. */
export function listProjectLabels(
  client: HarborClient,
  projectId: number,
  auth?: HarborAuth,
): Promise<HarborLabelResp[]> {
  return listAll(client, { scope: 'p', project_id: projectId }, auth);
}

/** Names among `names` that are neither global labels nor labels of the project. */
export async function missingLabelNames(
  client: HarborClient,
  projectId: number,
  names: readonly string[],
  auth?: HarborAuth,
): Promise<string[]> {
  if (names.length === 0) return [];
  const [global, own] = await Promise.all([listGlobalLabels(client, auth), listProjectLabels(client, projectId, auth)]);
  const known = new Set([...global, ...own].map((l) => l.name));
  return names.filter((n) => !known.has(n));
}
