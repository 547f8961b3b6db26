// Public surface of the shared library: used by the adapter, the portal plugin and the tests.
export {};
