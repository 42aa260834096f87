import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { SealboxError } from '../../errors/index.js'

/** Settings after flags, environment, config file and defaults are merged (in that order). */
export interface Settings {
  /** Folder of the embedded keystore, secrets and config (`SEALBOX_HOME`, default `~/.sealbox`). */
  home: string
  /** `local` (embedded, default) or `aws` (any AWS KMS API endpoint). */
  kms: 'local' | 'aws'
  /** Default KMS key (`KMS_KEY_ID`, then `CMK_KEY_ID`); unset means the embedded default key. */
  keyId: string | undefined
  /** Endpoint for `kms: aws` (`AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`), else the SDK's default. */
  kmsEndpoint: string | undefined
  region: string | undefined
  /** Secrets location (`S3_PATH`), default a folder under home. */
  secretsLocation: string | undefined
}

export interface GlobalFlags {
  home?: string
  kms?: string
  kmsEndpoint?: string
  region?: string
}

interface ConfigFile {
  kms?: string
  keyId?: string
  kmsEndpoint?: string
  region?: string
  secrets?: string
}

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv): Settings {
  const home = resolve(flags.home ?? env['SEALBOX_HOME'] ?? join(homedir(), '.sealbox'))
  const file = readConfigFile(join(home, 'config.json'))
  const kms = flags.kms ?? env['SEALBOX_KMS'] ?? file.kms ?? 'local'
  if (kms !== 'local' && kms !== 'aws') {
    throw new SealboxError(
      'ConfigInvalid',
      `unknown kms backend '${kms}': expected 'local' or 'aws'`,
    )
  }
  return {
    home,
    kms,
    keyId: env['KMS_KEY_ID'] || env['CMK_KEY_ID'] || file.keyId || undefined,
    kmsEndpoint:
      flags.kmsEndpoint ??
      (env['AWS_ENDPOINT_URL_KMS'] || env['AWS_ENDPOINT_URL'] || file.kmsEndpoint || undefined),
    region:
      flags.region ?? (env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || file.region || undefined),
    secretsLocation: env['S3_PATH'] || file.secrets || undefined,
  }
}

function readConfigFile(path: string): ConfigFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw e
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object')
    return parsed as ConfigFile
  } catch (e) {
    throw new SealboxError('ConfigInvalid', `${path} is not a JSON object: ${(e as Error).message}`)
  }
}
