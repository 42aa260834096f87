import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** An S3-compatible server on 127.0.0.1, started by a test and stopped by it. */
export interface S3Server {
  kind: 's3rver' | 'moto'
  /** `http://127.0.0.1:<port>` */
  endpoint: string
  /** A bucket that exists on the server. */
  bucket: string
  /** Whether the server honours If-None-Match / If-Match on PutObject. */
  supportsConditionalWrites: boolean
  /** The environment a sealbox process needs to reach it (dummy credentials, path style); conditional-write support is left to the probe. */
  env: Record<string, string>
  stop(): Promise<void>
}

export interface StartOptions {
  /** Bucket to create (3 or more characters); default `sealbox-test`. */
  bucket?: string
}

const PACKAGE_ROOT = resolve(import.meta.dirname, '../../..')

/**
 * s3rver in a child process (it needs node's legacy OpenSSL provider), listening on an
 * ephemeral port of 127.0.0.1 with its files in a temp folder. It ignores conditional headers.
 */
export async function startS3rver(options: StartOptions = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'sealbox-test'
  const dir = mkdtempSync(join(tmpdir(), 'sealbox-s3rver-'))
  const script = `
    const S3rver = require('s3rver')
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: ${JSON.stringify(dir)},
      configureBuckets: [{ name: ${JSON.stringify(bucket)} }] })
    server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'))
    process.stdin.on('end', () => server.close().then(() => process.exit(0))).resume()`
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    cwd: PACKAGE_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  try {
    const line = await firstLine(child)
    const { port } = JSON.parse(line) as { port: number }
    const endpoint = `http://127.0.0.1:${port}`
    return {
      kind: 's3rver',
      endpoint,
      bucket,
      supportsConditionalWrites: false,
      env: clientEnv(endpoint),
      stop: async () => {
        await stopChild(child, () => child.stdin?.end())
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (e) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
}

/** True when `moto_server` is on PATH. */
export function motoAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status === 0
}

// moto checks If-None-Match / If-Match and then writes, with no lock between, so two conditional
// writes handled on two of its threads can both pass the check. Here its application takes one
// lock for conditional requests only, so they apply one at a time, atomically, as on S3; other
// requests (an upload part whose client was stopped, say) never wait on it.
const SERIAL_MOTO = `
import sys, threading, moto.server as m
lock = threading.Lock()
class Serial(m.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MATCH" not in environ:
            return super().__call__(environ, start_response)
        with lock:
            return super().__call__(environ, start_response)
m.DomainDispatcherApplication = Serial
m.main(sys.argv[1:])
`

let serialMoto: boolean | undefined
/** Whether `python3` can run moto itself (moto_server may come from an environment of its own). */
function canRunSerialMoto(): boolean {
  serialMoto ??=
    spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0
  return serialMoto
}

/**
 * moto_server (S3 that honours If-None-Match / If-Match) on a free port of 127.0.0.1, or
 * undefined when it is not installed: callers skip visibly, with `MOTO_MISSING` as the reason.
 */
export async function startMoto(options: StartOptions = {}): Promise<S3Server | undefined> {
  if (!motoAvailable()) return undefined
  const bucket = options.bucket ?? 'sealbox-test'
  const port = await freePort()
  const args = ['-H', '127.0.0.1', '-p', String(port)]
  const child = canRunSerialMoto()
    ? spawn('python3', ['-c', SERIAL_MOTO, ...args], { stdio: ['ignore', 'ignore', 'ignore'] })
    : spawn('moto_server', args, { stdio: ['ignore', 'ignore', 'ignore'] })
  const endpoint = `http://127.0.0.1:${port}`
  let created = false
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' }).then(
      (r) => r.ok,
      () => false,
    )
    if (created) break
    await sleep(100)
  }
  if (!created) {
    child.kill('SIGKILL')
    throw new Error(`moto_server did not start on ${endpoint}`)
  }
  return {
    kind: 'moto',
    endpoint,
    bucket,
    supportsConditionalWrites: true,
    env: clientEnv(endpoint),
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  }
}

export const MOTO_MISSING =
  'moto_server is not on PATH: conditional writes on a server that honours them are not tested'

/** Either server by kind (moto: undefined when absent). */
export function startS3Server(
  kind: 's3rver' | 'moto',
  options: StartOptions = {},
): Promise<S3Server | undefined> {
  return kind === 'moto' ? startMoto(options) : startS3rver(options)
}

function clientEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    SEALBOX_S3_FORCE_PATH_STYLE: '1',
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
      .on('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number }
        server.close(() => done(port))
      })
  })
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((done, fail) => {
    let text = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      text += d
      const at = text.indexOf('\n')
      if (at >= 0) done(text.slice(0, at))
    })
    child.on('exit', (code) => fail(new Error(`the server exited before listening (${code})`)))
  })
}

function stopChild(child: ChildProcess, ask: () => void): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      done()
    })
    ask()
  })
}
