// Runs the benchmarks compiled from bench/*.ts, one after another, in one process tree.
// `npm run bench` runs them all; `npm run bench -- kms file` runs the named ones.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const dir = 'dist/bench'
const all = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(0, -3))
  : []
const wanted = process.argv.slice(2)
const names = wanted.length > 0 ? wanted : all
let failed = 0
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`bench: no benchmark named '${name}' (have: ${all.join(', ')})`)
    failed++
    continue
  }
  console.log(`\n=== bench/${name} ===`)
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, `${name}.js`)], {
    stdio: 'inherit',
  })
  if (r.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
