import { SealboxError } from '../../errors/index.js'
import {
  compileGlob,
  ENV_FORMATS,
  envNames,
  envValue,
  type EnvFormat,
} from '../../secrets/index.js'
import type { SecretStore } from '../../secrets/index.js'

export interface EnvFlags {
  only?: string[]
  stripPrefix?: string
}

/**
 * The matching secrets as environment variables, in path order. Names follow `envName`
 * (`app/db-password` -> `APP_DB_PASSWORD`); two secrets with one name, or a value that is not
 * NUL-free UTF-8, are refused before anything is run or written. With `requireMatches`, so is a
 * pattern that matches no secret (a typo must not run a command without its secrets).
 */
export async function secretEnvironment(
  secrets: SecretStore,
  flags: EnvFlags,
  options: { requireMatches?: string } = {},
): Promise<Array<[string, string]>> {
  const patterns = flags.only ?? []
  const values = new Map<string, string>()
  for await (const { path, value } of secrets.readMany(patterns)) {
    values.set(path, envValue(path, value))
    value.fill(0)
  }
  if (options.requireMatches !== undefined) {
    for (const pattern of patterns) {
      const glob = compileGlob(pattern)
      if (![...values.keys()].some((path) => glob.matches(path))) {
        throw new SealboxError(
          'SecretNotFound',
          `no secret in ${secrets.location} matches '${pattern}'; ${options.requireMatches}`,
          { hint: "list the secrets with 'sealbox secrets ls PATTERN'" },
        )
      }
    }
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
