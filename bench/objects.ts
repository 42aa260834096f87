// Object stores under `sealbox cp`: latency of a small object put and get (CLI and library), and
// throughput plus peak RSS of a 64 MiB object, on the local folder store (on disk, fsync on) and
// on s3rver (loopback, through @aws-sdk/client-s3). Baselines measured in the same run: the bare
// object store moving the same plaintext bytes (no KMS, no encryption) in process, and for the
// CLI rows `node -e 0` (process start) and coreutils `cp` of the file.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Runtime } from '../src/cli/runtime/index.js'
import { encryptStream } from '../src/envelope/index.js'
import type { ObjectStore } from '../src/objects/types/index.js'
import { startS3rver, type S3Server } from '../test/helpers/s3-server.js'

const MAIN = resolve(import.meta.dirname, '../src/cli/main.js')
const RSS_PRELOAD = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`
const QUICK = process.env['BENCH_QUICK'] === '1'
const RUNS = QUICK ? 3 : 9
const LIB_RUNS = QUICK ? 20 : 100
const BIG = 64 * 1024 * 1024
const SMALL = 1024

interface Row {
  store: string
  what: string
  sealbox: string
  baseline: string
  ratio: string
  note: string
}
const rows: Row[] = []

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!
const ms = (n: number): string => (n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(0)} ms`)
const mbps = (bytes: number, msTaken: number): number => bytes / 1e6 / (msTaken / 1000)

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((done, fail) => {
    const t = performance.now()
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => done({ ms: performance.now() - t, code, stderr }))
  })
}

async function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  rss = false,
): Promise<{ ms: number; rssMiB: number }> {
  const node = rss ? ['--import', RSS_PRELOAD, MAIN] : [MAIN]
  const r = await run(process.execPath, [...node, ...args], env, cwd)
  if (r.code !== 0) throw new Error(`sealbox ${args.join(' ')}: exit ${r.code}\n${r.stderr}`)
  const m = /maxrss=(\d+)/.exec(r.stderr)
  return { ms: r.ms, rssMiB: m === null ? 0 : Number(m[1]) / 1024 }
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0
  for await (const c of body) n += c.length
  return n
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

async function* pattern(total: number): AsyncGenerator<Uint8Array> {
  const chunk = Buffer.alloc(1024 * 1024, 7)
  for (let at = 0; at < total; at += chunk.length)
    yield chunk.subarray(0, Math.min(chunk.length, total - at))
}

async function benchStore(
  name: string,
  base: string,
  env: NodeJS.ProcessEnv,
  work: string,
): Promise<void> {
  const runtime = new Runtime(() => ({ home: env['SEALBOX_HOME']! }), env)
  const { store } = (await runtime.objectStore(`${base}/`)) as { store: ObjectStore; key: string }
  const kms = await runtime.kms()
  const keyId = await runtime.defaultKeyId()
  const small = Buffer.alloc(SMALL, 1)

  // library: bare store vs encrypt + put / get + decrypt (in process, warm)
  const bare: number[] = []
  const sealed: number[] = []
  for (let i = 0; i < LIB_RUNS; i++) {
    let t = performance.now()
    await store.put(`lib/plain${i % 10}`, small)
    await drain((await store.get(`lib/plain${i % 10}`)).body)
    bare.push(performance.now() - t)
    t = performance.now()
    await store.put(
      `lib/sealed${i % 10}`,
      encryptStream(once(small), {
        kms,
        keyIds: [keyId],
        encryptionContext: { 'sealbox:key': 'x' },
      }),
    )
    await drain((await store.get(`lib/sealed${i % 10}`)).body)
    sealed.push(performance.now() - t)
  }
  rows.push({
    store: name,
    what: 'library put+get 1 KiB',
    sealbox: ms(median(sealed)),
    baseline: ms(median(bare)),
    ratio: `${(median(sealed) / median(bare)).toFixed(1)}x`,
    note: 'encrypt+put+get vs bare put+get',
  })

  // CLI: small object
  writeFileSync(join(work, 'small.bin'), small)
  const start: number[] = []
  for (let i = 0; i < RUNS; i++)
    start.push((await run(process.execPath, ['-e', '0'], env, work)).ms)
  const puts: number[] = []
  const gets: number[] = []
  for (let i = 0; i < RUNS; i++) {
    puts.push((await cli(['cp', 'small.bin', `${base}/cli/small`, '--force'], env, work)).ms)
    gets.push((await cli(['cp', `${base}/cli/small`, 'small.out', '--force'], env, work)).ms)
  }
  for (const [what, v] of [
    ['cli cp put 1 KiB', puts],
    ['cli cp get 1 KiB', gets],
  ] as const) {
    rows.push({
      store: name,
      what,
      sealbox: ms(median(v)),
      baseline: ms(median(start)),
      ratio: `${(median(v) / median(start)).toFixed(1)}x`,
      note: 'vs node -e 0',
    })
  }

  // 64 MiB: library bare store throughput, CLI throughput and peak RSS
  let t = performance.now()
  await store.put('big/plain', pattern(BIG))
  const barePut = performance.now() - t
  t = performance.now()
  await drain((await store.get('big/plain')).body)
  const bareGet = performance.now() - t
  writeFileSync(join(work, 'big.bin'), Buffer.alloc(BIG, 3))
  const coreutils = (await run('cp', ['big.bin', 'big.copy'], env, work)).ms
  const up = await cli(['cp', 'big.bin', `${base}/big/sealed`, '--force'], env, work, true)
  const down = await cli(['cp', `${base}/big/sealed`, 'big.out', '--force'], env, work, true)
  rows.push({
    store: name,
    what: 'cli cp put 64 MiB',
    sealbox: `${mbps(BIG, up.ms).toFixed(0)} MB/s`,
    baseline: `${mbps(BIG, barePut).toFixed(0)} MB/s`,
    ratio: `${(mbps(BIG, up.ms) / mbps(BIG, barePut)).toFixed(2)}x`,
    note: `peak RSS ${up.rssMiB.toFixed(0)} MiB; ${mbps(BIG, up.ms - median(puts)).toFixed(0)} MB/s less a 1 KiB cp; vs bare store put`,
  })
  rows.push({
    store: name,
    what: 'cli cp get 64 MiB',
    sealbox: `${mbps(BIG, down.ms).toFixed(0)} MB/s`,
    baseline: `${mbps(BIG, bareGet).toFixed(0)} MB/s`,
    ratio: `${(mbps(BIG, down.ms) / mbps(BIG, bareGet)).toFixed(2)}x`,
    note: `peak RSS ${down.rssMiB.toFixed(0)} MiB; ${mbps(BIG, down.ms - median(gets)).toFixed(0)} MB/s less a 1 KiB cp; vs bare store get; coreutils cp ${mbps(BIG, coreutils).toFixed(0)} MB/s`,
  })
  runtime.close()
}

const root = mkdtempSync(join(tmpdir(), 'sealbox-bench-objects-'))
let server: S3Server | undefined
try {
  const home = join(root, 'home')
  const work = join(root, 'work')
  mkdirSync(home)
  mkdirSync(work)
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: root,
    SEALBOX_HOME: home,
    NODE_NO_WARNINGS: '1',
  }
  // one keystore for both stores, created before timing
  spawnSync(process.execPath, [MAIN, 'kms', 'list-keys'], { env, stdio: 'ignore' })
  await benchStore('local (disk)', 'local://bench', env, work)
  server = await startS3rver()
  Object.assign(process.env, server.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  })
  await benchStore('s3rver', `s3://${server.bucket}`, { ...env, ...server.env }, work)
} finally {
  await server?.stop()
  rmSync(root, { recursive: true, force: true })
}
console.table(rows)
