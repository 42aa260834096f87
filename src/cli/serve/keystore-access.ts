import { PrincipalStore } from '../../principals/index.js'
import type { PrincipalDirectory } from '../../server/index.js'
import { openLocalKms, type LocalKmsHandle } from '../runtime/local-kms.js'
import type { Runtime } from '../runtime/index.js'
import type { PrincipalsDeps } from './principals-commands.js'
import type { RunServeDeps } from './run-serve.js'

const DEFAULT_REGION = 'us-east-1'

/**
 * The embedded keystore opened for serving: its KMS, audit log and clock, and the principals
 * table in the same SQLite file, on the same connection, with secrets sealed under the
 * keystore's root key.
 */
class OpenKeystore {
  private handle: LocalKmsHandle | undefined
  private store: PrincipalStore | undefined

  constructor(
    private readonly runtime: Runtime,
    private readonly serving = false,
  ) {}

  local(): LocalKmsHandle {
    this.handle ??= openLocalKms(this.runtime.settings, this.runtime.env, {
      groupCommit: this.serving,
    })
    return this.handle
  }

  principals(): PrincipalStore {
    const local = this.local()
    this.store ??= PrincipalStore.open(
      { database: local.keystore.db },
      { sealer: local.keystore, clock: local.clock },
    )
    return this.store
  }

  /** The server's lookup, asked on every request: served from the keystore's read cache. */
  directory(): PrincipalDirectory {
    const store = this.principals()
    const reads = this.local().keystore.reads
    reads.watch('principals')
    return {
      findByAccessKeyId: (id) => reads.get(`principal\0${id}`, () => store.findByAccessKeyId(id)),
    }
  }

  close(): void {
    this.store?.close()
    this.store = undefined
    this.handle?.close()
    this.handle = undefined
  }
}

export function principalsDeps(runtime: Runtime): PrincipalsDeps {
  const keystore = new OpenKeystore(runtime)
  process.once('exit', () => keystore.close())
  return {
    store: () => Promise.resolve(keystore.principals()),
    defaultAccount: () => Promise.resolve(keystore.local().caller.accountId),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }
}

export function serveDeps(runtime: Runtime): RunServeDeps {
  const keystore = new OpenKeystore(runtime, true)
  return {
    provider: () => Promise.resolve(keystore.local().provider),
    audit: () => Promise.resolve(keystore.local().audit),
    clock: () => Promise.resolve(keystore.local().clock),
    principals: () => Promise.resolve(keystore.directory()),
    localKms: () => Promise.resolve(keystore.local().kms),
    accountId: () => Promise.resolve(keystore.local().caller.accountId),
    region: runtime.settings.region ?? DEFAULT_REGION,
    stdout: process.stdout,
    stderr: process.stderr,
    close: () => keystore.close(),
  }
}
