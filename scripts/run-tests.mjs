// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Pass paths or folders to narrow the run: `node scripts/run-tests.mjs dist/src/format`.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) collect(join(path, name), out)
  } else if (path.endsWith('.test.js')) {
    out.push(path)
  }
  return out
}

const roots = process.argv.slice(2)
const files = (roots.length > 0 ? roots : ['dist/src', 'dist/test']).flatMap((r) => collect(r, []))
if (files.length === 0) {
  console.error('run-tests: no test files found (did the build run?)')
  process.exit(1)
}
// A test that hangs fails after 5 minutes instead of holding the run forever. Node 20 has the
// flag from 20.11 on, and an older one refuses to start with it.
const timeout = ['--test-timeout=300000']
if (spawnSync(process.execPath, [...timeout, '-e', '0']).status !== 0) timeout.length = 0
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', ...timeout, ...files],
  { stdio: 'inherit' },
)
process.exit(result.status ?? 1)
