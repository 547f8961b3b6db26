// The OCI test library: where the local stack lives, a distribution client, images made in memory, and
// private registries for tests.
export * from './stack';
export * from './registry';
export * from './images';
export * from './registry-process';
export { makeTestCertificates, type TestCertificates } from './tls';
