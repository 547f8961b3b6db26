/**
 * Writes brotli (`.br`, quality 11) and gzip (`.gz`, level 9) copies next to the hashed JavaScript and CSS
 * files of a production build, for the adapter to send as they are (see adapter/src/http/portal.ts).
 * Only hashed files: their content never changes, so a copy can never be stale. A copy that would not be
 * smaller is not written.
 *
 *   node --import tsx scripts/precompress.ts <build folder>
 */
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const HASHED = /-[A-Z0-9]{8}\.(?:js|css)$/;
const MIN_BYTES = 1024;
const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function precompress(dir: string): Promise<void> {
  let raw = 0;
  let br = 0;
  let gzipped = 0;
  let count = 0;
  for (const file of filesUnder(dir)) {
    // Copies of an earlier build in the same folder go with it.
    if (/\.(?:br|gz)$/.test(file)) {
      unlinkSync(file);
      continue;
    }
    if (!HASHED.test(file) || statSync(file).size < MIN_BYTES) continue;
    const data = readFileSync(file);
    const [b, g] = await Promise.all([
      brotli(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
      gz(data, { level: constants.Z_BEST_COMPRESSION }),
    ]);
    if (b.length < data.length) writeFileSync(`${file}.br`, b);
    if (g.length < data.length) writeFileSync(`${file}.gz`, g);
    raw += data.length;
    br += Math.min(b.length, data.length);
    gzipped += Math.min(g.length, data.length);
    count++;
  }
  const kb = (n: number) => `${Math.round(n / 1024)} KB`;
  console.log(
    `precompress: ${count} hashed files in ${relative(process.cwd(), dir) || '.'}: ${kb(raw)} -> brotli ${kb(br)}, gzip ${kb(gzipped)}`,
  );
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: precompress.ts <build folder>');
  process.exit(2);
}
precompress(dir).catch((err: unknown) => {
  console.error(`precompress: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
