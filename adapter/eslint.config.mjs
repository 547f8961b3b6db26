import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import base from '../shared/eslint.base.mjs';

/**
 * The layers of src/ (ARCHITECTURE.md), top to bottom. A file may import from its own layer and the
 * layers below it, never from a layer above.
 */
const LAYERS = [
  ['main.ts', 'app.ts', 'wiring.ts'],
  ['http'],
  ['controller'],
  ['auth', 'health', 'insights', 'jobs', 'jobservice', 'patch', 'policies', 'scheduler', 'webhooks'],
  ['store'],
  ['harbor', 'registry'],
  ['model', 'config', 'cache.ts'],
];
const NAMES = ['the composition root', 'http', 'controller', 'the services', 'store', 'the clients', 'model'];

const zones = LAYERS.flatMap((layer, i) =>
  i === 0
    ? []
    : layer.map((target) => ({
        target: `./src/${target}`,
        from: LAYERS.slice(0, i)
          .flat()
          .map((p) => `./src/${p}`),
        message: `${NAMES[i]} may not import from a layer above it (${NAMES.slice(0, i).join(', ')}): see ARCHITECTURE.md`,
      })),
);

export default [
  ...base,
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones, basePath: import.meta.dirname }] },
  },
];
