import { SealboxError } from '../../errors/index.js'

/**
 * The AWS CLI's shorthand for a flat structure or map: `k=v,k2=v2`. A value may be quoted with
 * `"` or `'` to hold commas or `=`; whitespace around keys and unquoted values is dropped.
 */
export function parseShorthand(text: string, flag: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  let i = 0
  const fail = (what: string): never => {
    throw new SealboxError(
      'UsageError',
      `error parsing parameter '${flag}': ${what} in ${JSON.stringify(text)}`,
      {
        hint: `use key=value,key2=value2 or JSON such as '{"key":"value"}'`,
      },
    )
  }
  while (i < text.length) {
    const eq = text.indexOf('=', i)
    if (eq < 0) fail(`expected key=value at character ${i + 1}`)
    const key = text.slice(i, eq).trim()
    if (key.length === 0 || key.includes(',')) fail(`expected key=value at character ${i + 1}`)
    i = eq + 1
    while (text[i] === ' ') i++
    let value: string
    const quote = text[i]
    if (quote === '"' || quote === "'") {
      const end = text.indexOf(quote, i + 1)
      if (end < 0) fail(`unterminated ${quote} quote`)
      value = text.slice(i + 1, end)
      i = end + 1
      while (text[i] === ' ') i++
      if (i < text.length && text[i] !== ',')
        fail(`unexpected text after the quoted value of '${key}'`)
    } else {
      const comma = text.indexOf(',', i)
      const end = comma < 0 ? text.length : comma
      value = text.slice(i, end).trim()
      i = end
    }
    if (key in out) fail(`duplicate key '${key}'`)
    out[key] = value
    if (text[i] === ',') {
      i++
      if (i >= text.length) fail('trailing comma')
    }
  }
  return out
}
