import type { Writable } from 'node:stream'
import type { AuditLog } from '../../audit/types/index.js'
import type { Clock } from '../../clock/index.js'
import type { KmsPort, KmsProvider } from '../../kms/types/index.js'
import {
  seededRandom,
  startKmsServer,
  type FaultOptions,
  type PrincipalDirectory,
  type RunningKmsServer,
} from '../../server/index.js'
import { accountOf, type ServeOptions } from './serve-options.js'

/** What one serving process takes from the composition root. */
export interface ServeDeps {
  provider: () => Promise<KmsProvider>
  audit: () => Promise<AuditLog>
  clock: () => Promise<Clock>
  principals: () => Promise<PrincipalDirectory>
  /** The embedded KMS acting for the local user, as `sealbox kms` does (for --seed). */
  localKms: () => Promise<KmsPort>
  /** The embedded KMS's account: whose root acts under --no-auth. */
  accountId: () => Promise<string>
  region: string
  stderr: Writable
}

function faultOptions(options: ServeOptions): FaultOptions {
  return {
    types: options.faultTypes,
    ...(options.faultRate === undefined ? {} : { rate: options.faultRate }),
    ...(options.latency === undefined ? {} : { latency: options.latency }),
    ...(options.faultSeed === undefined ? {} : { random: seededRandom(options.faultSeed) }),
  }
}

/** Starts the server in this process with the keystore opened here. */
export async function startServing(
  options: ServeOptions,
  deps: ServeDeps,
): Promise<RunningKmsServer> {
  const provider = await deps.provider()
  const audit = await deps.audit()
  const clock = await deps.clock()
  let auth: Parameters<typeof startKmsServer>[0]['auth']
  if (options.auth) {
    auth = { mode: 'sigv4', principals: await deps.principals() }
  } else {
    const accountId =
      options.principal === undefined ? await deps.accountId() : accountOf(options.principal)
    auth = {
      mode: 'none',
      caller: { principal: options.principal ?? `arn:aws:iam::${accountId}:root`, accountId },
    }
  }
  return startKmsServer({
    provider,
    audit,
    clock,
    region: deps.region,
    auth,
    host: options.host,
    port: options.port,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    // each worker keeps its own bucket: the quota is shared out evenly
    ...(options.throttle === undefined
      ? {}
      : { cryptoRequestsPerSecond: options.throttle / options.workers }),
    ...(options.faultRate === undefined && options.latency === undefined
      ? {}
      : { faults: faultOptions(options) }),
    onInternalError: (error, requestId) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
      deps.stderr.write(`sealbox: error: request ${requestId} failed inside the server: ${text}\n`)
    },
  })
}

/** Resolves on the first SIGTERM or SIGINT (or a 'shutdown' message from the primary). */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGTERM', onTerm)
      process.off('SIGINT', onInt)
      process.off('message', onMessage)
      resolve(why)
    }
    const onTerm = () => done('SIGTERM')
    const onInt = () => done('SIGINT')
    const onMessage = (m: unknown) => {
      if (m === 'sealbox:shutdown') done('shutdown')
    }
    process.on('SIGTERM', onTerm)
    process.on('SIGINT', onInt)
    process.on('message', onMessage)
  })
}
