// `sealbox serve` under load: GenerateDataKey and Decrypt requests per second and p50/p99
// latency at 1, 16 and 64 connections on loopback, SigV4 verified and every request audited,
// with one worker and with one worker per core; beside each, a do-nothing node:http server
// answering the same request (the ceiling for this machine), and that server plus only the crypto
// a verified GenerateDataKey cannot do without (the floor of any design). autocannon replays one signed
// request (AWS accepts a signature for 15 minutes; each run is signed just before it starts).
//
//   npm run bench -- server            (BENCH_SECONDS=10 for longer runs; default 5)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import cluster from 'node:cluster'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { systemClock } from '../src/clock/index.js'
import { aesGcmEncrypt, hmacSha256, randomBytes, sha256Hex } from '../src/crypto/index.js'
import { KMS_OPERATION_NAMES, methodName, type KmsPort } from '../src/kms/types/index.js'
import { fromWire } from '../src/kms/wire/index.js'
import { signRequest, startKmsServer } from '../src/server/index.js'

const SELF = fileURLToPath(import.meta.url)
const CLI = resolve('dist/src/cli/main.js')
const REGION = 'us-east-1'
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5)
const CONNECTIONS = [1, 16, 64]
const CORES = availableParallelism()

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number; average: number }
  non2xx: number
  errors: number
  timeouts: number
  '2xx': number
}
type Autocannon = (opts: {
  url: string
  connections: number
  duration: number
  method: string
  headers: Record<string, string>
  body: string
}) => Promise<AutocannonResult>
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

function pinned(cpu: string | undefined, args: string[]): [string, string[]] {
  const hasTaskset = spawnSync('taskset', ['-V']).status === 0
  return cpu !== undefined && hasTaskset && CORES > 1
    ? ['taskset', ['-c', cpu, ...args]]
    : [args[0]!, args.slice(1)]
}

function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  cpu?: string,
): Promise<{ url: string; child: ChildProcess }> {
  const [cmd, argv] = pinned(cpu, args)
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()))
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /^(http\S+)\n/.exec(out)
      if (m !== null) ok({ url: m[1]!, child })
    })
    child.once('exit', (code) => fail(new Error(`${args.join(' ')} exited ${code}: ${err}`)))
  })
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

function cli(home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: benchEnv(home), encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`sealbox ${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

function benchEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('AWS_') && !k.startsWith('SEALBOX_')) env[k] = v
  return { ...env, SEALBOX_HOME: home, AWS_REGION: REGION }
}

interface Creds {
  AccessKeyId: string
  SecretAccessKey: string
}

function signed(url: string, creds: Creds, op: string, body: string): Record<string, string> {
  const u = new URL(url)
  return signRequest(
    {
      method: 'POST',
      path: '/',
      query: '',
      headers: {
        Host: u.host,
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `TrentService.${op}`,
      },
      body: new TextEncoder().encode(body),
    },
    {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      region: REGION,
      service: 'kms',
      time: new Date(),
    },
  )
}

async function call(
  url: string,
  creds: Creds,
  op: string,
  body: object,
): Promise<Record<string, unknown>> {
  const text = JSON.stringify(body)
  const res = await fetch(url, {
    method: 'POST',
    headers: signed(url, creds, op, text),
    body: text,
  })
  const answer = await res.text()
  if (res.status !== 200) throw new Error(`${op} answered ${res.status}: ${answer}`)
  return answer === '' ? {} : (JSON.parse(answer) as Record<string, unknown>)
}

interface Measured extends AutocannonResult {
  /** CPU time the server's processes spent per answered request, in microseconds. */
  cpuPerRequest: number
}

interface Row {
  op: string
  workers: number
  connections: number
  sealbox: Measured
  ceiling: Measured
}

const TICK_US = 1e6 / 100

/** utime + stime (clock ticks) of a process and its direct children, from /proc. */
function cpuTicks(pid: number): number {
  let total = 0
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let fields: string[]
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8')
      fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    } catch {
      continue
    }
    // fields[1] is the parent pid; fields[11] and [12] are utime and stime
    if (Number(name) === pid || Number(fields[1]) === pid)
      total += Number(fields[11]) + Number(fields[12])
  }
  return total
}

async function load(
  url: string,
  pid: number,
  creds: Creds,
  op: string,
  body: string,
  connections: number,
): Promise<Measured> {
  const headers = signed(url, creds, op, body)
  // warm-up, then the measured run
  await autocannon({ url, connections, duration: 1, method: 'POST', headers, body })
  const before = cpuTicks(pid)
  const result = await autocannon({
    url,
    connections,
    duration: SECONDS,
    method: 'POST',
    headers,
    body,
  })
  const ticks = cpuTicks(pid) - before
  return { ...result, cpuPerRequest: (ticks * TICK_US) / Math.max(1, result.requests.total) }
}

async function main(): Promise<void> {
  // The load generator runs here, on CPU 0; a one-worker server gets CPU 1 to itself.
  if (CORES > 1 && spawnSync('taskset', ['-pc', '0', String(process.pid)]).status !== 0) {
    console.log('(could not pin the load generator to CPU 0)')
  }
  const home = mkdtempSync(join(tmpdir(), 'sealbox-bench-serve-'))
  const creds = JSON.parse(cli(home, ['principals', 'create', 'bench'])) as Creds
  const rows: Row[] = []
  const referenceRows: Record<'--protocol' | '--floor', Row[]> = { '--protocol': [], '--floor': [] }
  let keyId = ''
  let ciphertext = ''
  let ok2xx = 0
  for (const workers of [1, CORES]) {
    const cpu = workers === 1 ? '1' : undefined
    const serve = await startProcess(
      [process.execPath, CLI, 'serve', '--port', '0', '--workers', String(workers)],
      benchEnv(home),
      cpu,
    )
    if (keyId === '') {
      const created = await call(serve.url, creds, 'CreateKey', { Description: 'bench' })
      keyId = (created['KeyMetadata'] as { Arn: string }).Arn
      ciphertext = (
        await call(serve.url, creds, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })
      )['CiphertextBlob'] as string
    }
    const requests: Record<string, string> = {
      GenerateDataKey: JSON.stringify({ KeyId: keyId, KeySpec: 'AES_256' }),
      Decrypt: JSON.stringify({ CiphertextBlob: ciphertext }),
    }
    // the same answer size as sealbox's GenerateDataKey
    const sample = JSON.stringify(
      await call(serve.url, creds, 'GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }),
    )
    ok2xx += 1
    const ceiling = await startProcess(
      [process.execPath, SELF, '--ceiling', String(workers), sample],
      benchEnv(home),
      cpu,
    )
    try {
      for (const op of Object.keys(requests)) {
        for (const connections of CONNECTIONS) {
          const s = await load(serve.url, serve.child.pid!, creds, op, requests[op]!, connections)
          const c = await load(
            ceiling.url,
            ceiling.child.pid!,
            creds,
            op,
            requests[op]!,
            connections,
          )
          ok2xx += s['2xx']
          rows.push({ op, workers, connections, sealbox: s, ceiling: c })
          if (s.non2xx > 0 || s.errors > 0) {
            console.log(
              `  ! ${op} c=${connections}: ${s.non2xx} non-2xx answers, ${s.errors} errors`,
            )
          }
        }
      }
      if (workers === 1) {
        const secrets = {
          ...benchEnv(home),
          BENCH_ACCESS_KEY_ID: creds.AccessKeyId,
          BENCH_SECRET_ACCESS_KEY: creds.SecretAccessKey,
        }
        for (const mode of ['--protocol', '--floor'] as const) {
          const reference = await startProcess([process.execPath, SELF, mode, sample], secrets, cpu)
          try {
            for (const connections of CONNECTIONS) {
              const op = 'GenerateDataKey'
              const p = await load(
                reference.url,
                reference.child.pid!,
                creds,
                op,
                requests[op]!,
                connections,
              )
              const ceilingRow = rows.find(
                (r) => r.op === op && r.workers === 1 && r.connections === connections,
              )!
              referenceRows[mode].push({
                op,
                workers,
                connections,
                sealbox: p,
                ceiling: ceilingRow.ceiling,
              })
            }
          } finally {
            await stop(reference.child)
          }
        }
      }
    } finally {
      await stop(ceiling.child)
      await stop(serve.child)
    }
  }
  const verify = cli(home, ['audit', 'verify']).trim()

  const fmt = (n: number) => n.toFixed(0).padStart(7)
  const ms = (n: number) => n.toFixed(1).padStart(6)
  console.log(
    `\nsealbox serve on loopback, SigV4 on, ${SECONDS} s per run after a 1 s warm-up; ${CORES} CPUs; node ${process.version}`,
  )
  console.log(
    'op               workers  conns | sealbox req/s  p50 ms  p99 ms  cpu us/req | ceiling req/s  p50 ms  p99 ms  cpu us/req | ratio',
  )
  const side = (m: Measured) =>
    `      ${fmt(m.requests.average)}  ${ms(m.latency.p50)}  ${ms(m.latency.p99)}     ${fmt(m.cpuPerRequest)}`
  const line = (r: Row) =>
    console.log(
      `${r.op.padEnd(16)} ${String(r.workers).padStart(7)} ${String(r.connections).padStart(6)} |${side(r.sealbox)} |${side(r.ceiling)} | ${(r.sealbox.requests.average / r.ceiling.requests.average).toFixed(2)}`,
    )
  rows.forEach(line)
  console.log(
    '\nthe HTTP layer alone (SigV4 verified, input validated, AWS shapes; a KMS that does nothing, no audit):',
  )
  referenceRows['--protocol'].forEach(line)
  console.log(
    '\nthe floor: the ceiling server plus only the crypto any verified GenerateDataKey needs (SHA-256 of the body, one HMAC-SHA256, 44 random bytes, one AES-256-GCM wrap; no parsing, no keystore, no audit):',
  )
  referenceRows['--floor'].forEach(line)
  console.log(
    `\naudit log after the runs: ${verify} (successful requests answered: ${ok2xx}, plus the setup calls)`,
  )
  console.log('goal: ratio >= 0.6 with every request verified, audited and durable')
}

/**
 * A node:http server on a free port of 127.0.0.1 that answers every request with `answer` once
 * its body is read (handed to `work` first, when given; discarded unread otherwise), and reports
 * its URL to the cluster primary, or else on stdout.
 */
function answering(answer: string, work?: (body: Buffer) => void): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', work === undefined ? () => {} : (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      work?.(Buffer.concat(chunks))
      res.setHeader('Content-Type', 'application/x-amz-json-1.1')
      res.setHeader('x-amzn-RequestId', '00000000-0000-0000-0000-000000000000')
      res.end(answer)
    })
  })
  server.listen(0, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    if (process.send !== undefined) process.send(url)
    else process.stdout.write(`${url}\n`)
  })
}

// Modes are dispatched last, once every declaration above is initialised.
// ---- the ceiling: reads the body, answers a fixed JSON of the same size as sealbox's ----------
if (process.argv[2] === '--ceiling') {
  const workers = Number(process.argv[3])
  const answer = process.argv[4]!
  if (cluster.isPrimary && workers > 1) {
    for (let i = 0; i < workers; i++) cluster.fork()
    let ready = 0
    cluster.on('message', (_w, m: string) => {
      if (++ready === workers) process.stdout.write(`${m}\n`)
    })
    process.on('SIGTERM', () => {
      for (const w of Object.values(cluster.workers ?? {})) w?.kill()
      process.exit(0)
    })
  } else {
    answering(answer)
    process.on('SIGTERM', () => process.exit(0))
  }
} else if (process.argv[2] === '--floor') {
  // ---- the least a verified GenerateDataKey costs: the ceiling plus its unavoidable crypto -----
  const answer = process.argv[3]!
  const signingKey = hmacSha256(process.env['BENCH_SECRET_ACCESS_KEY']!, 'bench')
  const backingKey = randomBytes(32)
  const aad = new TextEncoder().encode('bench context')
  let sink = 0
  answering(answer, (body) => {
    const signature = hmacSha256(signingKey, `AWS4-HMAC-SHA256\n${sha256Hex(body)}`)
    const dataKey = randomBytes(32)
    const { ciphertext } = aesGcmEncrypt(backingKey, randomBytes(12), dataKey, aad)
    sink += signature[0]! + Buffer.from(ciphertext).toString('base64').length
    dataKey.fill(0)
  })
  process.on('SIGTERM', () => process.exit(sink >= 0 ? 0 : 1))
} else if (process.argv[2] === '--protocol') {
  // ---- sealbox's HTTP layer alone: SigV4, validation, AWS shapes; a KMS that does nothing -----
  const answer = fromWire(JSON.parse(process.argv[3]!)) as Record<string, unknown>
  const principal = {
    accessKeyId: process.env['BENCH_ACCESS_KEY_ID']!,
    secretAccessKey: process.env['BENCH_SECRET_ACCESS_KEY']!,
    arn: 'arn:aws:iam::000000000000:user/bench',
    accountId: '000000000000',
  }
  const port: Record<string, () => Promise<unknown>> = {}
  for (const op of KMS_OPERATION_NAMES) port[methodName(op)] = () => Promise.resolve({ ...answer })
  const server = await startKmsServer({
    provider: { forCaller: () => port as unknown as KmsPort },
    audit: {
      append: () => {},
      committed: () => Promise.resolve(),
      query: () => [],
      verify: () => ({ ok: true, events: 0 }),
    },
    clock: systemClock,
    region: REGION,
    auth: {
      mode: 'sigv4',
      principals: {
        findByAccessKeyId: (id) => (id === principal.accessKeyId ? principal : undefined),
      },
    },
    port: 0,
  })
  process.stdout.write(`${server.url}\n`)
  process.on('SIGTERM', () => process.exit(0))
} else {
  await main()
}
