/**
 * Contract suites for plugin authors (`cairn/testing`). Each suite is a function to call inside a jest test
 * file with a factory for your adapter; it defines the tests every adapter of that port must pass.
 */
export * from './artifactStoreContract';
export * from './expectCode';
export * from './journalContract';
export * from './codecContract';
export * from './prng';
export * from './transportContract';
export * from './lockContract';
export * from './manualTime';
