/**
 * The adapter's release build: one JavaScript file made with esbuild from src/main.ts (the shared
 * library's TypeScript included), run by Node.js 24 without tsx. better-sqlite3 stays a native module
 * beside it, compiled for Node 24 by e2e/toolchain/node24.sh.
 *
 *   <out>/adapter/main.js                   the bundle (node <out>/adapter/main.js)
 *   <out>/adapter/openapi.yaml              the API document it serves and validates against
 *   <out>/adapter/package.json              "type": "module", the Node version it runs on
 *   <out>/adapter/node_modules/             better-sqlite3 (Node 24 build) and its run-time dependencies
 *   <out>/adapter/THIRD-PARTY-LICENSES.md   licences of the packages inside the bundle
 *
 * Usage: node --import tsx adapter/scripts/build.ts [--out DIR]   (default DIR: the repository's dist/)
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { node24Dir } from '@harbor-patching/oci-testkit';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'dist') } } });
const out = join(resolve(values.out!), 'adapter');
const nativeModules = join(node24Dir, 'modules/node_modules');
/** Packages that stay outside the bundle, with what of them is needed at run time. */
const RUNTIME_PACKAGES: Record<string, string[]> = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'build/Release/better_sqlite3.node'],
  bindings: ['package.json', 'LICENSE.md', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'LICENSE', 'index.js'],
};

if (!existsSync(join(nativeModules, 'better-sqlite3/build/Release/better_sqlite3.node'))) {
  console.error(`no Node 24 build of better-sqlite3 in ${nativeModules}: run bash e2e/toolchain/node24.sh`);
  process.exit(1);
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'adapter/src/main.ts')],
  outfile: join(out, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: Object.keys(RUNTIME_PACKAGES),
  // config.ts looks for the portal beside the bundle (dist/portal-plugin) when this is set.
  define: { HP_RELEASE_BUNDLE: 'true' },
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: [
      `if (process.versions.node.split('.')[0] !== '24') {`,
      `  process.stderr.write('This build of the adapter runs on Node.js 24 (its better-sqlite3 is compiled for it), not ' + process.version + '.\\n');`,
      `  process.exit(1);`,
      `}`,
      `import { createRequire as __hpCreateRequire } from 'node:module';`,
      `const require = __hpCreateRequire(import.meta.url);`,
    ].join('\n'),
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

cpSync(join(root, 'shared/src/api/openapi.yaml'), join(out, 'openapi.yaml'));
const sqliteVersion = (
  JSON.parse(readFileSync(join(nativeModules, 'better-sqlite3/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const adapterPackage = JSON.parse(readFileSync(join(root, 'adapter/package.json'), 'utf8')) as { version: string };
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: 'harbor-patching-adapter',
      version: adapterPackage.version,
      private: true,
      license: 'Apache-2.0',
      type: 'module',
      main: 'main.js',
      engines: { node: '>=24 <25' },
      dependencies: { 'better-sqlite3': sqliteVersion },
    },
    null,
    2,
  )}\n`,
);
for (const [name, files] of Object.entries(RUNTIME_PACKAGES)) {
  for (const file of files) {
    cpSync(join(nativeModules, name, file), join(out, 'node_modules', name, file), { recursive: true });
  }
}
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.md'), thirdPartyLicences(Object.keys(result.metafile.inputs)));

const size = (path: string): number =>
  statSync(path).isDirectory() ? readdirSync(path).reduce((n, f) => n + size(join(path, f)), 0) : statSync(path).size;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
console.log(
  `adapter: ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s (main.js ${mb(size(join(out, 'main.js')))}, ` +
    `with node_modules ${mb(size(out))})`,
);

/** One section per npm package whose code is in the bundle: name, version, licence and its licence file. */
function thirdPartyLicences(inputs: string[]): string {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const sections = [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = readdirSync(join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(root, dir, file), 'utf8').trim() : '(no licence file in the package)';
    return `## ${pkg.name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n\`\`\`\n${text}\n\`\`\`\n`;
  });
  return `# Third-party software in main.js\n\nThe adapter's bundle holds code of these npm packages.\n\n${sections.join('\n')}`;
}
