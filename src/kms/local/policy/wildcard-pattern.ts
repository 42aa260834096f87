/**
 * An IAM wildcard pattern as a RegExp: `*` matches any run of characters (also none), `?`
 * exactly one; everything else is literal. Anchored at both ends.
 */
export function wildcardPattern(pattern: string, ignoreCase: boolean): RegExp {
  let source = '^'
  for (const ch of pattern) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[\\^$.|+()[\]{}/]/g, '\\$&')
  }
  return new RegExp(source + '$', ignoreCase ? 'isu' : 'su')
}
