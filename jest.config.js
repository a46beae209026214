/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.(unit|golden|contract|property|int|e2e).test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testTimeout: 60000,
  // A real S3 server (radosgw) for the S3 tests when none is configured: see scripts/s3-server.sh.
  globalSetup: '<rootDir>/test/helpers/s3GlobalSetup.js',
  globalTeardown: '<rootDir>/test/helpers/s3GlobalTeardown.js',
};
