import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { SealboxError } from '../../errors/index.js'
import { DEFAULT_HOST, DEFAULT_PORT, FAULT_TYPES, type FaultType } from '../../server/index.js'

/** `sealbox serve`'s flags as commander gives them. */
export interface ServeFlags {
  host?: string
  port?: string
  /** false with --no-auth */
  auth?: boolean
  principal?: string
  tlsCert?: string
  tlsKey?: string
  workers?: string
  throttle?: string
  faultRate?: string
  faultTypes?: string
  faultSeed?: string
  latency?: string
  seed?: string
}

export interface ServeOptions {
  host: string
  port: number
  auth: boolean
  /** The caller under --no-auth (default: the account root). */
  principal: string | undefined
  tls: { cert: Buffer; key: Buffer } | undefined
  workers: number
  /** Cryptographic requests per second for the whole server (every worker together). */
  throttle: number | undefined
  /** The share of requests answered with an injected error, one of `faultTypes`. */
  faultRate: number | undefined
  faultTypes: FaultType[]
  /** Milliseconds before a cryptographic request is answered. */
  latency: { min: number; max: number } | undefined
  /** Seeds the draws of faults and latency, so that a run can be repeated. */
  faultSeed: number | undefined
  /** A seed file applied before the server listens. */
  seed: string | undefined
}

const PRINCIPAL_ARN = /^arn:aws:(iam|sts)::(\d{12}):.+$/

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new SealboxError(
      'UsageError',
      `${flag} must be a whole number from ${min} to ${max}, not '${text}'`,
    )
  }
  return n
}

const MAX_LATENCY_MS = 600_000

function faultTypes(text: string): FaultType[] {
  const types = text.split(',').map((t) => t.trim())
  const unknown = types.find((t) => !(FAULT_TYPES as readonly string[]).includes(t))
  if (unknown !== undefined) {
    throw new SealboxError(
      'UsageError',
      `--fault-types takes a comma-separated list of ${FAULT_TYPES.join(', ')}; '${unknown}' is not one of them`,
    )
  }
  return [...new Set(types as FaultType[])]
}

function latency(text: string): { min: number; max: number } {
  const range = /^(\d+)(?:-(\d+))?$/.exec(text)
  const min = Number(range?.[1])
  const max = range?.[2] === undefined ? min : Number(range[2])
  if (range === null || max > MAX_LATENCY_MS || min > max) {
    throw new SealboxError(
      'UsageError',
      `--latency must be milliseconds (such as 200) or a range MIN-MAX (such as 100-400) up to ${MAX_LATENCY_MS}, not '${text}'`,
    )
  }
  return { min, max }
}

export function serveOptions(flags: ServeFlags): ServeOptions {
  const auth = flags.auth !== false
  if (flags.principal !== undefined) {
    if (auth) {
      throw new SealboxError('UsageError', '--principal only applies with --no-auth', {
        hint: 'with signatures checked, the caller is the principal whose access key signed the request',
      })
    }
    if (!PRINCIPAL_ARN.test(flags.principal)) {
      throw new SealboxError(
        'UsageError',
        `--principal must be an IAM ARN such as arn:aws:iam::111122223333:user/alice, not '${flags.principal}'`,
      )
    }
  }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new SealboxError('UsageError', '--tls-cert and --tls-key go together')
  }
  let tls: ServeOptions['tls']
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    tls = { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) }
  }
  let faultRate: number | undefined
  if (flags.faultRate !== undefined) {
    faultRate = Number(flags.faultRate)
    if (
      flags.faultRate.trim() === '' ||
      !Number.isFinite(faultRate) ||
      faultRate < 0 ||
      faultRate > 1
    ) {
      throw new SealboxError(
        'UsageError',
        `--fault-rate must be a fraction from 0 to 1, such as 0.05, not '${flags.faultRate}'`,
      )
    }
  }
  if (flags.faultTypes !== undefined && faultRate === undefined) {
    throw new SealboxError('UsageError', '--fault-types needs --fault-rate', {
      hint: 'the rate is the share of requests that get one of the types, such as --fault-rate 0.05',
    })
  }
  const workers =
    flags.workers === undefined ? undefined : integer(flags.workers, '--workers', 1, 256)
  let faultSeed: number | undefined
  if (flags.faultSeed !== undefined) {
    faultSeed = integer(flags.faultSeed, '--fault-seed', 0, 0xffffffff)
    if (faultRate === undefined && flags.latency === undefined) {
      throw new SealboxError('UsageError', '--fault-seed needs --fault-rate or --latency')
    }
    // seeded draws repeat only in one process, which sees the requests in their order
    if (workers !== undefined && workers !== 1) {
      throw new SealboxError('UsageError', '--fault-seed needs a single worker', {
        hint: 'requests reach workers in no set order, so their draws would not repeat: drop --workers or pass --workers 1',
      })
    }
  }
  return {
    throttle:
      flags.throttle === undefined
        ? undefined
        : integer(flags.throttle, '--throttle', 1, 1_000_000),
    faultRate,
    faultTypes:
      flags.faultTypes === undefined ? ['KMSInternalException'] : faultTypes(flags.faultTypes),
    latency: flags.latency === undefined ? undefined : latency(flags.latency),
    faultSeed,
    seed: flags.seed,
    host: flags.host ?? DEFAULT_HOST,
    port: flags.port === undefined ? DEFAULT_PORT : integer(flags.port, '--port', 0, 65535),
    auth,
    principal: flags.principal,
    tls,
    workers: workers ?? (faultSeed === undefined ? availableParallelism() : 1),
  }
}

/** The account a --principal ARN belongs to. */
export function accountOf(arn: string): string {
  return PRINCIPAL_ARN.exec(arn)![2]!
}
