import { SealboxError } from '../errors/index.js'

/** A compiled secret-path pattern. */
export interface Glob {
  readonly source: string
  /** The literal part before the first metacharacter: listing can start there. */
  readonly literalPrefix: string
  matches(path: string): boolean
}

/**
 * Compiles a path pattern:
 * - `*` any characters within one segment, `?` one character other than `/`,
 * - `[abc]`, `[a-z]`, `[!abc]` one character of (or not of) a set,
 * - `**` as a whole segment: zero or more segments (`app/**` is everything under `app/`,
 *   `**` everything, `**\/key` every `key` at any depth),
 * - a pattern ending in `/` matches everything under that folder (`app/` = `app/**`),
 * - anything else matches itself (a leading `/` is ignored, as in secret paths).
 */
export function compileGlob(pattern: string): Glob {
  let source = pattern.startsWith('/') ? pattern.slice(1) : pattern
  if (source.endsWith('/')) source = `${source}**`
  if (source === '') throw new SealboxError('UsageError', 'empty secret pattern')
  const segments = source.split('/')
  let regex = ''
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1
    if (segment === '**') {
      // zero or more whole segments, each followed by '/' unless it is the end
      regex += last ? (i === 0 ? '.*' : '.+') : '(?:[^/]+/)*'
      return
    }
    if (segment === '') {
      throw new SealboxError(
        'UsageError',
        `invalid secret pattern '${pattern}': it has an empty segment`,
      )
    }
    regex += segmentRegex(segment, pattern) + (last ? '' : '/')
  })
  const compiled = new RegExp(`^${regex}$`, 'su')
  return {
    source,
    literalPrefix: literalPrefix(source),
    matches: (path) => compiled.test(path),
  }
}

/** True when `text` holds no glob metacharacter (it names one secret). */
export function isLiteralPattern(text: string): boolean {
  return !/[*?[]/.test(text) && !text.endsWith('/')
}

/** Patterns given together match a path when any of them does (none given: everything). */
export function anyGlob(patterns: readonly string[]): Glob {
  const globs = (patterns.length === 0 ? ['**'] : patterns).map(compileGlob)
  if (globs.length === 1) return globs[0]!
  return {
    source: globs.map((g) => g.source).join(','),
    literalPrefix: commonPrefix(globs.map((g) => g.literalPrefix)),
    matches: (path) => globs.some((g) => g.matches(path)),
  }
}

function segmentRegex(segment: string, pattern: string): string {
  let out = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!
    if (c === '*') {
      if (segment[i + 1] === '*') {
        throw new SealboxError(
          'UsageError',
          `invalid secret pattern '${pattern}': '**' must be a whole segment`,
        )
      }
      out += '[^/]*'
    } else if (c === '?') {
      out += '[^/]'
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0)
        throw new SealboxError('UsageError', `invalid secret pattern '${pattern}': unclosed '['`)
      let body = segment.slice(i + 1, end)
      const negate = body.startsWith('!') || body.startsWith('^')
      if (negate) body = body.slice(1)
      const escaped = body.replace(/[\\\]^]/g, (m) => `\\${m}`)
      out += negate ? `[^/${escaped}]` : `[${escaped}]`
      i = end
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, (m) => `\\${m}`)
    }
  }
  return out
}

function literalPrefix(source: string): string {
  const at = source.search(/[*?[]/)
  return at < 0 ? source : source.slice(0, at)
}

function commonPrefix(values: string[]): string {
  if (values.length === 0) return ''
  let prefix = values[0]!
  for (const value of values) {
    while (!value.startsWith(prefix)) prefix = prefix.slice(0, -1)
  }
  return prefix
}
