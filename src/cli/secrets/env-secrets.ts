import { SealboxError } from '../../errors/index.js'
import { ENV_FORMATS, envNames, envValue, type EnvFormat } from '../../secrets/index.js'
import type { SecretStore } from '../../secrets/index.js'

export interface EnvFlags {
  only?: string[]
  stripPrefix?: string
}

/**
 * The matching secrets as environment variables, in path order. Names follow `envName`
 * (`app/db-password` -> `APP_DB_PASSWORD`); two secrets with one name, or a value that is not
 * NUL-free UTF-8, are refused before anything is run or written.
 */
export async function secretEnvironment(
  secrets: SecretStore,
  flags: EnvFlags,
): Promise<Array<[string, string]>> {
  const values = new Map<string, string>()
  for await (const { path, value } of secrets.readMany(flags.only ?? [])) {
    values.set(path, envValue(path, value))
    value.fill(0)
  }
  const names = envNames([...values.keys()], flags.stripPrefix ?? '')
  return [...names].map(([name, path]) => [name, values.get(path)!])
}

export function parseFormat(format: string | undefined): EnvFormat {
  const f = format ?? 'dotenv'
  if (!(ENV_FORMATS as readonly string[]).includes(f)) {
    throw new SealboxError(
      'UsageError',
      `unknown format '${f}': expected ${ENV_FORMATS.join(', ')}`,
    )
  }
  return f as EnvFormat
}
