// Public surface of the shared library: used by the adapter, the portal plugin and the tests.
// Browser-safe only (the node-only API document loader is `@harbor-patching/shared/api/document`).
export * from './policy/index';
export * from './api/enums';
export * from './api/reasons';
export type { components as ApiComponents, paths as ApiPaths, operations as ApiOperations } from './api/generated';
export * from './harbor/names';
export * from './harbor/artifacts';
