// The adapter as other packages of the repository use it (the browser tests, deployment tests and benchmarks in e2e).
export { startAdapter, type RunningAdapter } from './src/app';
export { loadConfig, type Config } from './src/config/config';
export { HarborClient } from './src/harbor/client';
export { previewPolicy } from './src/policies/preview';
