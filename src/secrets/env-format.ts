import { SealboxError } from '../errors/index.js'

export type EnvFormat = 'dotenv' | 'json' | 'shell'
export const ENV_FORMATS: readonly EnvFormat[] = ['dotenv', 'json', 'shell']

/**
 * Secret bytes as an environment value: UTF-8 text without NUL (the environment cannot hold
 * NUL, and a binary secret would be mangled). Throws UsageError naming the secret otherwise.
 */
export function envValue(path: string, bytes: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new SealboxError(
      'UsageError',
      `secret '${path}' is not UTF-8 text and cannot be an environment variable`,
      {
        hint: `read it with 'sealbox secrets get ${path} -o FILE'`,
      },
    )
  }
  if (text.includes('\u0000')) {
    throw new SealboxError(
      'UsageError',
      `secret '${path}' contains a NUL byte and cannot be an environment variable`,
      {
        hint: `read it with 'sealbox secrets get ${path} -o FILE'`,
      },
    )
  }
  return text
}

/**
 * A dotenv value, quoted so that the `dotenv` npm package and python-dotenv read back exactly
 * the same string (multi-line values included; both readers turn a raw CR into LF, so CR is
 * always escaped):
 * - single quotes when the value has no `'`, backslash or CR (both read it literally);
 * - else double quotes when it has no `"`, backslash or CR (both read it literally);
 * - else double quotes with `\\`, `\"`, `\n`, `\r` escapes. python-dotenv and docker compose
 *   decode all four; the npm `dotenv` package decodes only `\n` and `\r`, so `portable` is
 *   false when the value holds a backslash or a `"`.
 * Interpolation (`${VAR}`) must be off in the reader: python-dotenv expands it even inside quotes.
 */
export function dotenvValue(value: string): { text: string; portable: boolean } {
  const cr = value.includes('\r')
  const backslash = value.includes('\\')
  if (!cr && !backslash && !value.includes("'")) return { text: `'${value}'`, portable: true }
  if (!cr && !backslash && !value.includes('"')) return { text: `"${value}"`, portable: true }
  const escaped = value.replace(/[\\"\n\r]/g, (c) => ESCAPES[c]!)
  return { text: `"${escaped}"`, portable: !backslash && !value.includes('"') }
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' }

/** A POSIX shell word: single-quoted, each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * Renders name/value pairs. `dotenv` is `NAME='value'` lines, `shell` is `export NAME='value'`
 * lines for `eval` or `.`, `json` is one object. `onNotPortable` hears of dotenv values that only
 * escape-decoding readers get right.
 */
export function formatEnv(
  entries: ReadonlyArray<readonly [string, string]>,
  format: EnvFormat,
  onNotPortable: (name: string) => void = () => {},
): string {
  if (format === 'json') {
    const object: Record<string, string> = {}
    for (const [name, value] of entries) object[name] = value
    return `${JSON.stringify(object, null, 2)}\n`
  }
  let out = ''
  for (const [name, value] of entries) {
    if (format === 'shell') {
      out += `export ${name}=${shellQuote(value)}\n`
    } else {
      const { text, portable } = dotenvValue(value)
      if (!portable) onNotPortable(name)
      out += `${name}=${text}\n`
    }
  }
  return out
}
