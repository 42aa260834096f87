import { join } from 'node:path'
import { PrincipalStore } from '../../principals/index.js'
import type { Runtime } from '../runtime/index.js'
import type { PrincipalsDeps } from './principals-commands.js'
import type { RunServeDeps } from './run-serve.js'

const DEFAULT_REGION = 'us-east-1'

/** The principals table lives in the embedded keystore's SQLite file. */
function openPrincipalStore(runtime: Runtime): PrincipalStore {
  return PrincipalStore.open({ path: join(runtime.settings.home, 'keystore.db') })
}

async function keystoreAccount(runtime: Runtime): Promise<string> {
  const arn = await runtime.defaultKeyId()
  return arn.split(':')[4]!
}

export function principalsDeps(runtime: Runtime): PrincipalsDeps {
  let store: PrincipalStore | undefined
  process.once('exit', () => store?.close())
  return {
    store: () => Promise.resolve((store ??= openPrincipalStore(runtime))),
    defaultAccount: () => keystoreAccount(runtime),
    stdout: process.stdout,
    stderr: process.stderr,
  }
}

export function serveDeps(runtime: Runtime): RunServeDeps {
  let store: PrincipalStore | undefined
  return {
    provider: () => runtime.kmsProvider(),
    audit: () => runtime.audit(),
    clock: () => runtime.clock(),
    principals: () => Promise.resolve((store ??= openPrincipalStore(runtime))),
    accountId: () => keystoreAccount(runtime),
    region: runtime.settings.region ?? DEFAULT_REGION,
    stdout: process.stdout,
    stderr: process.stderr,
    close: () => {
      store?.close()
      store = undefined
      runtime.close()
    },
  }
}
