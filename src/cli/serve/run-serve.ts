import cluster, { type Worker } from 'node:cluster'
import { applySeed, readSeedFile } from '../kms/seed-keys.js'
import type { Writable } from 'node:stream'
import { SealboxError } from '../../errors/index.js'
import { printWarning } from '../output.js'
import { startServing, stopSignal, type ServeDeps } from './serve-process.js'
import { serveOptions, type ServeFlags, type ServeOptions } from './serve-options.js'

export interface RunServeDeps extends ServeDeps {
  stdout: Writable
  /** Releases what the deps opened (the keystore). */
  close: () => void
}

type WorkerMessage =
  { type: 'listening'; url: string } | { type: 'failed'; code: string; message: string }

function banner(options: ServeOptions, deps: RunServeDeps, url: string, workers: number): void {
  const auth = options.auth ? 'SigV4 verified' : 'NO AUTHENTICATION'
  deps.stderr.write(
    `sealbox: serving the embedded KMS at ${url} (region ${deps.region}, ${workers} worker${workers === 1 ? '' : 's'}, ${auth})\n`,
  )
  if (options.throttle !== undefined) {
    deps.stderr.write(
      `sealbox: cryptographic requests above ${options.throttle} a second get ThrottlingException (--throttle)\n`,
    )
  }
  if (options.faultRate !== undefined) {
    const types = options.faultTypes
    const named =
      types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`
    deps.stderr.write(
      `sealbox: warning: ${Number((options.faultRate * 100).toPrecision(6))}% of requests get an injected ${named}, each only on operations AWS can raise it from (--fault-rate)\n`,
    )
  }
  if (options.latency !== undefined) {
    const { min, max } = options.latency
    deps.stderr.write(
      `sealbox: warning: answers to cryptographic requests are delayed ${min === max ? min : `${min}-${max}`} ms (--latency)\n`,
    )
  }
  if (options.faultSeed !== undefined) {
    deps.stderr.write(
      `sealbox: faults and delays are drawn from seed ${options.faultSeed}: the same requests in the same order meet the same ones (--fault-seed)\n`,
    )
  }
  deps.stdout.write(`${url}\n`)
}

function warnNoAuth(options: ServeOptions, deps: RunServeDeps): void {
  if (options.auth) return
  printWarning(
    `--no-auth: signatures are not checked; anyone who can reach this port acts as ${options.principal ?? 'the account root'}`,
    deps.stderr,
  )
}

/**
 * `sealbox serve`: one process, or a primary that forks `--workers` processes sharing the port
 * and the one SQLite keystore. SIGTERM (or SIGINT) stops accepting, lets requests in flight
 * finish, and exits 0.
 */
export async function runServe(flags: ServeFlags, deps: RunServeDeps): Promise<void> {
  const options = serveOptions(flags)
  if (cluster.isWorker) return runWorker(options, deps)
  // a seed file is checked whole before the keystore is touched
  const seed = options.seed === undefined ? undefined : readSeedFile(options.seed)
  warnNoAuth(options, deps)
  const stopped = stopSignal()
  if (seed !== undefined) {
    const results = await applySeed(await deps.localKms(), seed)
    deps.stderr.write(
      `sealbox: seeded ${results.map((r) => `${r.Alias} (${r.Status})`).join(', ')}\n`,
    )
  }
  if (options.workers === 1) {
    const server = await startServing(options, deps)
    banner(options, deps, server.url, 1)
    await stopped
    await server.close()
    deps.close()
    return
  }
  // The keystore (its file, schema and root key) is created once here, before workers race to.
  await deps.provider()
  if (options.auth) await deps.principals()
  deps.close()
  await runPrimary(options, deps, stopped)
}

async function runWorker(options: ServeOptions, deps: RunServeDeps): Promise<void> {
  const send = (m: WorkerMessage) => process.send?.(m)
  const stopped = stopSignal()
  let server
  try {
    server = await startServing(options, deps)
  } catch (e) {
    send({
      type: 'failed',
      code: (e as { code?: string }).code ?? 'InternalError',
      message: e instanceof Error ? e.message : String(e),
    })
    deps.close()
    throw e
  }
  send({ type: 'listening', url: server.url })
  await stopped
  await server.close()
  deps.close()
  // The IPC channel to the primary would keep this process alive.
  cluster.worker?.disconnect()
}

async function runPrimary(
  options: ServeOptions,
  deps: RunServeDeps,
  stopped: Promise<string>,
): Promise<void> {
  let stopping = false
  const live = new Set<Worker>()
  let allExited: () => void = () => {}
  const exited = new Promise<void>((resolve) => (allExited = resolve))

  const fork = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork()
      live.add(worker)
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'listening') resolve(m.url)
        if (m.type === 'failed')
          reject(
            new SealboxError(
              m.code === 'EADDRINUSE' ? 'IoError' : 'InternalError',
              `a server worker could not start: ${m.message}`,
            ),
          )
      })
      worker.on('exit', (code, signal) => {
        live.delete(worker)
        reject(
          new SealboxError(
            'InternalError',
            `a server worker exited while starting (${signal ?? code})`,
          ),
        )
        if (stopping) {
          if (live.size === 0) allExited()
          return
        }
        printWarning(
          `server worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
          deps.stderr,
        )
        fork().catch((e: unknown) => deps.stderr.write(`sealbox: error: ${(e as Error).message}\n`))
      })
    })

  const stop = () => {
    if (stopping) return
    stopping = true
    if (live.size === 0) allExited()
    for (const worker of live) {
      if (worker.isConnected()) worker.send('sealbox:shutdown')
      else worker.process.kill('SIGTERM')
    }
  }

  let url: string
  try {
    const urls = await Promise.all(Array.from({ length: options.workers }, () => fork()))
    url = urls[0]!
  } catch (e) {
    stop()
    await exited
    throw e
  }
  banner(options, deps, url, options.workers)
  await stopped
  stop()
  await exited
}
