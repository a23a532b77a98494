// Two projects: fast unit tests of pure logic (beside the source), and tests that start
// Redis-backed processes (test/). `npm test` runs both; every config maps the @switchyard/* packages to their sources.
const moduleNameMapper = {
  '^@switchyard/(core|dispatcher|worker)$': '<rootDir>/libs/$1/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] };

module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // process-level tests start real apps; a project-level testTimeout is ignored by Jest
  testTimeout: 120_000,
  rootDir: __dirname,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
      ],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/test/**/*.test.ts',
        '<rootDir>/examples/**/*.test.ts',
        // real-Redis tests of a library's internals (not reachable through its package)
        '<rootDir>/libs/**/*.test.ts',
      ],
      moduleNameMapper,
      transform,
    },
  ],
};
