import { systemClock } from '../../clock/index.js'
import { SecretStore } from '../../secrets/index.js'
import type { Runtime } from '../runtime/index.js'

/** Where secrets live when neither --store, S3_PATH nor the config file says: under SEALBOX_HOME. */
export const DEFAULT_SECRETS_LOCATION = 'local://secrets/'

export interface StoreFlags {
  store?: string
  keyId?: string
}

/**
 * The secret store the flags and settings name: `--store URL`, else `S3_PATH` (or `secrets` in
 * the config file), else a folder under SEALBOX_HOME. `seal` resolves the KMS key new versions
 * are sealed under (`--key-id`, `KMS_KEY_ID`, the embedded default key); reading needs none.
 */
export async function openSecretStore(
  runtime: Runtime,
  flags: StoreFlags,
  seal: boolean,
): Promise<SecretStore> {
  const url = flags.store ?? runtime.settings.secretsLocation ?? DEFAULT_SECRETS_LOCATION
  const { store, key } = await runtime.objectStore(url)
  const kms = await runtime.kms()
  const clock = runtime.settings.kms === 'local' ? await runtime.clock() : systemClock
  const keyIds = seal ? [await runtime.defaultKeyId(flags.keyId)] : []
  return new SecretStore({ objects: store, prefix: key, kms, keyIds, clock })
}
