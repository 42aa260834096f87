import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { SealboxError } from '../../errors/index.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/index.js'

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
  /** The share of requests answered with an injected KMSInternalException. */
  faultRate: number | undefined
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
  return {
    throttle:
      flags.throttle === undefined
        ? undefined
        : integer(flags.throttle, '--throttle', 1, 1_000_000),
    faultRate,
    seed: flags.seed,
    host: flags.host ?? DEFAULT_HOST,
    port: flags.port === undefined ? DEFAULT_PORT : integer(flags.port, '--port', 0, 65535),
    auth,
    principal: flags.principal,
    tls,
    workers:
      flags.workers === undefined
        ? availableParallelism()
        : integer(flags.workers, '--workers', 1, 256),
  }
}

/** The account a --principal ARN belongs to. */
export function accountOf(arn: string): string {
  return PRINCIPAL_ARN.exec(arn)![2]!
}
