import { SealboxError } from '../../errors/index.js'

type Node =
  | { type: 'current' }
  | { type: 'field'; name: string }
  | { type: 'sub'; left: Node; right: Node }
  | { type: 'index'; left: Node; index: number }
  | { type: 'project'; left: Node; right: Node; flatten: boolean }
  | { type: 'list'; items: Node[] }
  | { type: 'hash'; pairs: Array<[string, Node]> }

type Token =
  { kind: 'id'; value: string } | { kind: 'num'; value: number } | { kind: 'punct'; value: string }

function bad(expression: string, what: string): SealboxError {
  return new SealboxError('UsageError', `bad value for --query ${expression}: ${what}`, {
    hint: 'sealbox supports the JMESPath subset of fields (A.B), indexes ([0]), projections ([*], []) and multi-selects ([A,B], {X: A})',
  })
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = []
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|"((?:[^"\\]|\\.)*)"|(-?\d+)|([.[\]*{},:@]))/y
  let pos = 0
  while (pos < expression.length) {
    if (/^\s*$/.test(expression.slice(pos))) break
    re.lastIndex = pos
    const m = re.exec(expression)
    if (m === null) throw bad(expression, `unexpected character at ${pos + 1}`)
    if (m[1] !== undefined) tokens.push({ kind: 'id', value: m[1] })
    else if (m[2] !== undefined)
      tokens.push({ kind: 'id', value: JSON.parse(`"${m[2]}"`) as string })
    else if (m[3] !== undefined) tokens.push({ kind: 'num', value: Number(m[3]) })
    else tokens.push({ kind: 'punct', value: m[4]! })
    pos = re.lastIndex
  }
  return tokens
}

/** Parses the JMESPath subset the AWS CLI's `--query` is mostly used with. */
export function parseQuery(expression: string): Node {
  const tokens = tokenize(expression)
  let i = 0
  const isPunct = (value: string, at = i): boolean =>
    tokens[at]?.kind === 'punct' && tokens[at].value === value
  const expect = (value: string): void => {
    if (!isPunct(value)) throw bad(expression, `expected '${value}'`)
    i++
  }

  const parseExpression = (): Node => parseChain(parsePrimary())

  function parsePrimary(): Node {
    const t = tokens[i]
    if (t === undefined) throw bad(expression, 'unexpected end')
    if (t.kind === 'id') {
      i++
      return { type: 'field', name: t.value }
    }
    if (isPunct('@')) {
      i++
      return { type: 'current' }
    }
    if (isPunct('[')) {
      if (tokens[i + 1]?.kind === 'num' || isPunct('*', i + 1) || isPunct(']', i + 1))
        return { type: 'current' }
      return parseMultiList()
    }
    if (isPunct('{')) return parseMultiHash()
    throw bad(expression, `unexpected '${String(t.value)}'`)
  }

  function parseMultiList(): Node {
    expect('[')
    const items = [parseExpression()]
    while (isPunct(',')) {
      i++
      items.push(parseExpression())
    }
    expect(']')
    return { type: 'list', items }
  }

  function parseMultiHash(): Node {
    expect('{')
    const pairs: Array<[string, Node]> = []
    do {
      if (pairs.length > 0) i++
      const key = tokens[i]
      if (key?.kind !== 'id') throw bad(expression, 'expected a key name in {...}')
      i++
      expect(':')
      pairs.push([key.value, parseExpression()])
    } while (isPunct(','))
    expect('}')
    return { type: 'hash', pairs }
  }

  function parseChain(base: Node): Node {
    let node = base
    for (;;) {
      if (isPunct('.')) {
        i++
        const t = tokens[i]
        let right: Node
        if (t?.kind === 'id') {
          i++
          right = { type: 'field', name: t.value }
        } else if (isPunct('[')) right = parseMultiList()
        else if (isPunct('{')) right = parseMultiHash()
        else throw bad(expression, "expected a field name after '.'")
        node = { type: 'sub', left: node, right }
      } else if (isPunct('[')) {
        const next = tokens[i + 1]
        if (next?.kind === 'num') {
          expect('[')
          i++
          expect(']')
          node = { type: 'index', left: node, index: next.value }
        } else if (isPunct('*', i + 1) || isPunct(']', i + 1)) {
          const flatten = isPunct(']', i + 1)
          i += flatten ? 2 : 3
          if (!flatten && !isPunct(']', i - 1)) throw bad(expression, "expected ']'")
          return { type: 'project', left: node, right: parseChain({ type: 'current' }), flatten }
        } else {
          throw bad(expression, "expected a number, '*' or ']' after '['")
        }
      } else {
        return node
      }
    }
  }

  const node = parseExpression()
  if (i < tokens.length) throw bad(expression, `unexpected '${String(tokens[i]!.value)}'`)
  return node
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function evaluate(node: Node, value: unknown): unknown {
  switch (node.type) {
    case 'current':
      return value
    case 'field':
      return isRecord(value) ? (value[node.name] ?? null) : null
    case 'sub': {
      const left = evaluate(node.left, value)
      return left === null ? null : evaluate(node.right, left)
    }
    case 'index': {
      const left = evaluate(node.left, value)
      if (!Array.isArray(left)) return null
      return (left[node.index < 0 ? left.length + node.index : node.index] as unknown) ?? null
    }
    case 'project': {
      let left = evaluate(node.left, value)
      if (node.flatten) {
        if (!Array.isArray(left)) return null
        left = left.flatMap((v: unknown) => (Array.isArray(v) ? (v as unknown[]) : [v]))
      }
      if (!Array.isArray(left)) return null
      return left.map((v: unknown) => evaluate(node.right, v)).filter((v) => v !== null)
    }
    case 'list':
      return value === null ? null : node.items.map((n) => evaluate(n, value))
    case 'hash':
      return value === null
        ? null
        : Object.fromEntries(node.pairs.map(([k, n]) => [k, evaluate(n, value)]))
  }
}

/** `--query`: a JMESPath subset applied to the response as the AWS CLI would print it. */
export function applyQuery(expression: string, value: unknown): unknown {
  return evaluate(parseQuery(expression), value)
}
