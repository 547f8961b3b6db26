// The adapter as other packages of the repository use it (the browser tests and benchmarks in e2e).
export { startAdapter, type RunningAdapter } from './src/app';
export { HarborClient } from './src/harbor/client';
export { previewPolicy } from './src/policies/preview';
