// The image's health check: exits 0 when the adapter answers GET /patching/api/v1/health with 200.
// The body's component states (Harbor, buildkitd, ...) are printed, not judged: an unreachable Harbor
// is no reason to restart this container. Uses only what the image holds (Node.js 24, no curl).
const host = ['', '0.0.0.0', '::'].includes(process.env.PATCHING_HOST ?? '') ? '127.0.0.1' : process.env.PATCHING_HOST;
const port = process.env.PATCHING_PORT || '8480';
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/patching/api/v1/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = await res.json().catch(() => ({}));
  const components = (body.components ?? []).map((c) => `${c.name}=${c.status}`).join(' ');
  console.log(`${url}: ${res.status} ${body.status ?? ''} ${components}`.trim());
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  console.log(`${url}: ${err.message}`);
  process.exit(1);
}
