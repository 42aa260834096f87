// The module levels of DESIGN.md: a module imports only from a lower level, through that
// module's index.ts. Concrete adapters (kms/local, kms/aws, objects/fs, objects/s3, audit/log)
// are named only by the composition root (src/cli, src/index.ts).
const L0 = '^src/(errors|bytes)/'
const L1 = '^src/(crypto|encoding)/'
const L2 = '^src/(format|clock|kms/types|kms/wire|objects/types|audit/types)/'
const L3 =
  '^src/(kms/local|kms/aws|objects/fs|objects/s3|audit/log|audit/memory|envelope|principals)/'
const L4 = '^src/(file|secrets|records|server)/'
const ADAPTERS = '^src/(kms/local|kms/aws|objects/fs|objects/s3|audit/log|principals)/'
const MODULE = '^(src/(?:kms|objects|audit)/[^/]+|src/[^/]+)/'

const below = (...levels) => ({ pathNot: [...levels, '^node_modules', '^[^s]'].join('|') })

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'level-0-imports-nothing-internal',
      severity: 'error',
      from: { path: L0 },
      to: { path: '^src/', pathNot: L0 },
    },
    {
      name: 'level-1',
      severity: 'error',
      from: { path: L1 },
      to: { path: '^src/', pathNot: `${L0}|${L1}` },
    },
    {
      name: 'level-2',
      severity: 'error',
      from: { path: L2 },
      to: { path: '^src/', pathNot: `${L0}|${L1}|${L2}` },
    },
    {
      name: 'level-3',
      severity: 'error',
      from: { path: L3 },
      to: { path: '^src/', pathNot: `${L0}|${L1}|${L2}|${L3}` },
    },
    {
      name: 'level-3-adapters-are-not-siblings',
      severity: 'error',
      from: {
        path: '^src/(kms/local|kms/aws|objects/fs|objects/s3|audit/log|audit/memory|envelope)/',
      },
      to: { path: ADAPTERS, pathNot: '^src/$1/' },
    },
    {
      name: 'level-4-uses-ports-not-adapters',
      severity: 'error',
      from: { path: L4 },
      to: { path: `${ADAPTERS}|^src/cli/|^src/index\\.ts$|${L4}`, pathNot: '^src/$1/' },
    },
    {
      name: 'only-through-index',
      severity: 'error',
      comment: 'another module is reached only through its index.ts',
      from: { path: MODULE },
      to: { path: '^src/.+\\.ts$', pathNot: ['^$1/', '/index\\.ts$', '^src/index\\.ts$'] },
    },
    {
      name: 'node-crypto-only-in-crypto',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/crypto/|\\.test\\.ts$' },
      to: { path: '^crypto$|^node:crypto$', dependencyTypes: ['core'] },
    },
    {
      name: 'aws-sdk-only-in-adapters',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(kms/aws|objects/s3)/|\\.test\\.ts$' },
      to: { path: '@aws-sdk/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
}
