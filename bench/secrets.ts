// Secrets store: put/get latency (library and CLI), ls of 10,000 secrets, pack and unpack of
// 1,000 secrets, on the local folder store and on s3rver (loopback), with the bare object-store
// operation underneath as the baseline of each ratio. Peak RSS of `pack` is measured in the CLI
// process for small and large secrets: it must not grow with the pack.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Runtime } from '../src/cli/runtime/index.js'
import { mapConcurrent, SecretStore } from '../src/secrets/index.js'
import { startS3rver, type S3Server } from '../test/helpers/s3-server.js'

const MAIN = resolve(import.meta.dirname, '../src/cli/main.js')
const RSS_PRELOAD = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`
const QUICK = process.env['BENCH_QUICK'] === '1'
const LS_COUNT = QUICK ? 1_000 : 10_000
const PACK_COUNT = QUICK ? 200 : 1_000
const LAT_RUNS = QUICK ? 30 : 200
const CLI_RUNS = QUICK ? 5 : 15

interface Row {
  store: string
  what: string
  sealbox: string
  baseline: string
  ratio: string
}
const rows: Row[] = []

function ms(n: number): string {
  return n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(0)} ms`
}
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
async function timeEach(runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await fn(i)
    out.push(performance.now() - t)
  }
  return out
}
async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}
function add(store: string, what: string, sealbox: number, baseline: number, unit = ms): void {
  rows.push({
    store,
    what,
    sealbox: unit(sealbox),
    baseline: unit(baseline),
    ratio: `${(sealbox / baseline).toFixed(1)}x`,
  })
}

interface Child {
  code: number | null
  stdout: Buffer
  stderr: string
}
function runCli(
  env: NodeJS.ProcessEnv,
  cwd: string,
  args: string[],
  input?: Uint8Array,
  preload = false,
): Promise<Child> {
  return new Promise((done, fail) => {
    const node = preload ? ['--import', RSS_PRELOAD, MAIN] : [MAIN]
    const child = spawn(process.execPath, [...node, ...args], {
      env,
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', fail)
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`sealbox ${args.join(' ')} exited ${code}: ${stderr}`))
      else done({ code, stdout: Buffer.concat(out), stderr })
    })
    child.stdin.end(input ?? '')
  })
}
function maxRss(stderr: string): number {
  const m = /maxrss=(\d+)/.exec(stderr)
  return m === null ? NaN : Number(m[1]) / 1024
}

async function bench(kind: 'local' | 's3rver'): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `sealbox-bench-secrets-${kind}-`))
  const home = join(root, 'home')
  const work = join(root, 'work')
  mkdirSync(home)
  mkdirSync(work)
  let s3: S3Server | undefined
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: root,
    SEALBOX_HOME: home,
    NODE_NO_WARNINGS: '1',
  }
  let url = 'local://secrets/'
  if (kind === 's3rver') {
    s3 = await startS3rver({ bucket: 'sealbox-bench' })
    url = 's3://sealbox-bench/secrets/'
    Object.assign(env, s3.env)
    Object.assign(process.env, s3.env)
  }
  env['S3_PATH'] = url
  const runtime = new Runtime(() => ({ home }), env)
  try {
    const { store: objects, key: prefix } = await runtime.objectStore(url)
    const secrets = new SecretStore({
      objects,
      prefix,
      kms: await runtime.kms(),
      keyIds: [await runtime.defaultKeyId()],
      clock: await runtime.clock(),
    })
    const value = new Uint8Array(64).fill(0x61)

    // library put/get against the bare store's put/get of the same sealed size
    const putLat = await timeEach(LAT_RUNS, (i) => secrets.put(`lat/s${i % 20}`, value))
    const sealed = (await objects.get(`${prefix}lat/s0/.v/0000000001`)).body
    const sealedBytes = Buffer.concat(await toArray(sealed))
    const rawPut = await timeEach(LAT_RUNS, (i) => objects.put(`${prefix}raw/o${i}`, sealedBytes))
    add(kind, 'library put p50 (64 B)', quantile(putLat, 0.5), quantile(rawPut, 0.5))
    add(kind, 'library put p99', quantile(putLat, 0.99), quantile(rawPut, 0.99))
    const getLat = await timeEach(LAT_RUNS, (i) => secrets.get(`lat/s${i % 20}`))
    const rawGet = await timeEach(LAT_RUNS, async (i) =>
      toArray((await objects.get(`${prefix}raw/o${i}`)).body),
    )
    add(kind, 'library get p50', quantile(getLat, 0.5), quantile(rawGet, 0.5))
    add(kind, 'library get p99', quantile(getLat, 0.99), quantile(rawGet, 0.99))

    // CLI: a whole process per command, against `sealbox --version` (process start, no work)
    const version = await timeEach(CLI_RUNS, () => runCli(env, work, ['--version']))
    const cliPut = await timeEach(CLI_RUNS, (i) =>
      runCli(env, work, ['secrets', 'put', `cli/s${i}`, '-'], value),
    )
    const cliGet = await timeEach(CLI_RUNS, (i) =>
      runCli(env, work, ['secrets', 'get', `cli/s${i}`]),
    )
    add(kind, 'CLI put median', quantile(cliPut, 0.5), quantile(version, 0.5))
    add(kind, 'CLI get median', quantile(cliGet, 0.5), quantile(version, 0.5))

    // ls of LS_COUNT secrets: seeded by copying one sealed version to every path (ls reads no values)
    const info = await objects.head(`${prefix}lat/s0/.v/0000000001`)
    const metadata = info?.metadata ?? {}
    const seedStart = performance.now()
    await mapConcurrent(
      Array.from({ length: LS_COUNT }, (_, i) => i),
      32,
      (i) =>
        objects.put(`${prefix}many/s${String(i).padStart(5, '0')}/.v/0000000001`, sealedBytes, {
          metadata,
        }),
    )
    const seeded = performance.now() - seedStart
    const rawList = await timeOnce(async () => {
      let n = 0
      for await (const page of objects.list({ prefix: `${prefix}many/` })) n += page.objects.length
      if (n !== LS_COUNT) throw new Error(`listed ${n}`)
    })
    const libLs = await timeOnce(async () => {
      const listed = await secrets.list(['many/*'])
      if (listed.length !== LS_COUNT) throw new Error(`ls gave ${listed.length}`)
    })
    const cliLs = await timeOnce(async () => {
      const r = await runCli(env, work, ['secrets', 'ls', 'many/*', '--output', 'json'])
      if ((JSON.parse(r.stdout.toString()) as unknown[]).length !== LS_COUNT)
        throw new Error('ls count')
    })
    add(kind, `library ls ${LS_COUNT} (with key, size)`, libLs, rawList)
    add(kind, `CLI ls ${LS_COUNT} --output json`, cliLs, rawList)

    // pack / unpack of PACK_COUNT real secrets of 1 KiB, and of 64 KiB for the memory bound
    await seed(secrets, 'pk/small', PACK_COUNT, 1024)
    const packSmall = await runCli(
      env,
      work,
      ['secrets', 'pack', 'pk/small/*', 'small.pack'],
      undefined,
      true,
    ).then((r) => r)
    const packTime = await timeOnce(() =>
      runCli(env, work, ['secrets', 'pack', 'pk/small/*', 'small2.pack']),
    )
    const unpackDir = await timeOnce(() =>
      runCli(env, work, ['secrets', 'unpack', 'small.pack', 'out']),
    )
    const unpackTar = await timeOnce(() =>
      runCli(env, work, ['secrets', 'unpack', 'small.pack', '-']),
    )
    const tarBaseline = await timeOnce(async () => {
      const r = spawnSync('tar', ['-cf', 'plain.tar', '-C', 'out', '.'], { cwd: work })
      if (r.status !== 0) throw new Error('tar failed')
    })
    add(kind, `CLI pack ${PACK_COUNT} x 1 KiB`, packTime, tarBaseline)
    add(kind, `CLI unpack ${PACK_COUNT} to a folder`, unpackDir, tarBaseline)
    add(kind, `CLI unpack ${PACK_COUNT} to stdout (tar)`, unpackTar, tarBaseline)
    await seed(secrets, 'pk/large', PACK_COUNT, 65536)
    const packLarge = await runCli(
      env,
      work,
      ['secrets', 'pack', 'pk/large/*', 'large.pack'],
      undefined,
      true,
    )
    const idle = await runCli(env, work, ['--version'], undefined, true)
    const mb = (n: number): string => `${n.toFixed(0)} MB`
    add(
      kind,
      `pack peak RSS, ${PACK_COUNT} x 1 KiB (${PACK_COUNT / 1024 < 1 ? (PACK_COUNT / 1024).toFixed(1) : (PACK_COUNT / 1024).toFixed(0)} MiB)`,
      maxRss(packSmall.stderr),
      maxRss(idle.stderr),
      mb,
    )
    add(
      kind,
      `pack peak RSS, ${PACK_COUNT} x 64 KiB (${((PACK_COUNT * 64) / 1024).toFixed(0)} MiB)`,
      maxRss(packLarge.stderr),
      maxRss(idle.stderr),
      mb,
    )
    console.log(
      `(${kind}: seeding ${LS_COUNT} listing entries took ${ms(seeded)}; pack baselines: tar -cf of the unpacked folder, RSS: sealbox --version)`,
    )
  } finally {
    runtime.close()
    await s3?.stop()
    rmSync(root, { recursive: true, force: true })
  }
}

async function seed(
  secrets: SecretStore,
  prefix: string,
  count: number,
  size: number,
): Promise<void> {
  const value = new Uint8Array(size).fill(0x62)
  await mapConcurrent(
    Array.from({ length: count }, (_, i) => i),
    16,
    (i) => secrets.put(`${prefix}/s${String(i).padStart(5, '0')}`, value),
  )
}

async function toArray(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const c of source) out.push(c)
  return out
}

for (const kind of ['local', 's3rver'] as const) await bench(kind)
const widths = (['store', 'what', 'sealbox', 'baseline', 'ratio'] as const).map((k) =>
  Math.max(k.length, ...rows.map((r) => r[k].length)),
)
const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
console.log(line(['store', 'what', 'sealbox', 'baseline', 'ratio']))
for (const r of rows) console.log(line([r.store, r.what, r.sealbox, r.baseline, r.ratio]))
console.log(
  '\nbaselines: library rows = the bare object store (put/get of the same sealed bytes, list pages without HEADs);\nCLI put/get = `sealbox --version` (process start); pack/unpack = tar -cf of the plain folder; RSS = `sealbox --version`.',
)
