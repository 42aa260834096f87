import { SqliteAuditLog } from '../../../src/audit/log/index.js'
import type { AuditEvent } from '../../../src/audit/types/index.js'
import { systemClock, type Clock } from '../../../src/clock/index.js'
import { Keystore, LocalKms } from '../../../src/kms/local/index.js'
import type { Caller, KmsPort, KmsProvider } from '../../../src/kms/types/index.js'
import { PrincipalStore, type Principal } from '../../../src/principals/index.js'
import {
  startKmsServer,
  type FaultOptions,
  type RunningKmsServer,
  type ServerAuth,
} from '../../../src/server/index.js'
import { tempHome } from './cli.js'

export const ACCOUNT = '111122223333'
export const REGION = 'us-east-1'

export interface TestServer {
  server: RunningKmsServer
  url: string
  keystore: Keystore
  local: LocalKms
  audit: SqliteAuditLog
  principals: PrincipalStore
  /** Failures the server called its own (answered 500): a test expects none. */
  internalErrors: unknown[]
  /** Every caller the server handed to the KMS, in order. */
  reached: Caller[]
  /** The KMS acting directly (not over HTTP) for a principal. */
  kmsFor(principal: Principal | string): KmsPort
  eventsFor(requestId: string): AuditEvent[]
  close(): Promise<void>
}

/**
 * `sealbox serve`'s server in this process over a real embedded keystore (SQLite file, root
 * key, hash-chained audit log) in a fresh home, listening on 127.0.0.1 with a free port.
 */
export async function startTestServer(
  opts: {
    clock?: Clock
    auth?: 'sigv4' | 'none'
    maxBodyBytes?: number
    cryptoRequestsPerSecond?: number
    faults?: FaultOptions
  } = {},
): Promise<TestServer> {
  const home = tempHome()
  const clock = opts.clock ?? systemClock
  const keystore = Keystore.open({ home })
  const audit = new SqliteAuditLog(keystore.db)
  const local = new LocalKms({ keystore, audit, clock, region: REGION, accountId: ACCOUNT })
  const principals = PrincipalStore.open({ database: keystore.db }, { sealer: keystore, clock })
  const reached: Caller[] = []
  const internalErrors: unknown[] = []
  const provider: KmsProvider = {
    forCaller(caller) {
      reached.push(caller)
      return local.forCaller(caller)
    },
  }
  const auth: ServerAuth =
    opts.auth === 'none'
      ? { mode: 'none', caller: { principal: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT } }
      : { mode: 'sigv4', principals }
  const server = await startKmsServer({
    provider,
    audit,
    clock,
    region: REGION,
    auth,
    host: '127.0.0.1',
    port: 0,
    ...(opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes }),
    ...(opts.cryptoRequestsPerSecond === undefined
      ? {}
      : { cryptoRequestsPerSecond: opts.cryptoRequestsPerSecond }),
    ...(opts.faults === undefined ? {} : { faults: opts.faults }),
    onInternalError: (e) => internalErrors.push(e),
  })
  return {
    server,
    url: server.url,
    keystore,
    local,
    audit,
    principals,
    reached,
    internalErrors,
    kmsFor: (p) => {
      const arn = typeof p === 'string' ? p : p.arn
      return local.forCaller({ principal: arn, accountId: arn.split(':')[4]! })
    },
    eventsFor: (requestId) => [...audit.query({})].filter((e) => e.requestId === requestId),
    close: async () => {
      await server.close()
      principals.close()
      local.close()
      keystore.close()
    },
  }
}
