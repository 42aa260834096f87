import { SealboxError } from '../errors/index.js'

/**
 * The environment variable name of a secret path: `stripPrefix` removed (when the path starts
 * with it), ASCII letters upper-cased, digits kept, every other character (`/`, `-`, `.`, spaces,
 * non-ASCII) replaced by `_`, and a `_` put in front of a leading digit.
 * `app/db-password` -> `APP_DB_PASSWORD`; with stripPrefix `app/`, `DB_PASSWORD`.
 */
export function envName(path: string, stripPrefix = ''): string {
  const rest =
    stripPrefix !== '' && path.startsWith(stripPrefix) ? path.slice(stripPrefix.length) : path
  const name = rest.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()
  return /^[0-9]/.test(name) ? `_${name}` : name
}

/**
 * Names for a set of paths, refusing two paths that map to one name (which would silently
 * drop a secret) and a name that would be empty.
 */
export function envNames(paths: readonly string[], stripPrefix = ''): Map<string, string> {
  const byName = new Map<string, string>()
  for (const path of paths) {
    const name = envName(path, stripPrefix)
    if (name === '' || /^_*$/.test(name)) {
      throw new SealboxError(
        'UsageError',
        `secret '${path}' gives no usable environment variable name`,
      )
    }
    const other = byName.get(name)
    if (other !== undefined) {
      throw new SealboxError(
        'UsageError',
        `secrets '${other}' and '${path}' both map to the environment variable ${name}`,
        { hint: 'narrow the selection with --only, or rename one of the secrets' },
      )
    }
    byName.set(name, path)
  }
  return byName
}
