import { SealboxError } from '../../../errors/index.js'
import type {
  CompiledCondition,
  CompiledPolicy,
  CompiledStatement,
  PatternList,
  PrincipalMatcher,
  StringComparison,
} from './policy-document.js'
import { wildcardPattern } from './wildcard-pattern.js'

/** AWS KMS's limit on a key policy document, in bytes of UTF-8. */
export const MAX_POLICY_BYTES = 32 * 1024

const VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const POLICY_ELEMENTS = new Set(['Version', 'Id', 'Statement'])
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
])
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser'])
const ACCOUNT_ID = /^\d{12}$/
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]+$/
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/
const CONDITION_KEY = /^[A-Za-z0-9-]+:[^\s]+$/

const STRING_OPERATORS: Record<string, { comparison: StringComparison; negated: boolean }> = {
  stringequals: { comparison: 'equals', negated: false },
  stringnotequals: { comparison: 'equals', negated: true },
  stringequalsignorecase: { comparison: 'equalsIgnoreCase', negated: false },
  stringnotequalsignorecase: { comparison: 'equalsIgnoreCase', negated: true },
  stringlike: { comparison: 'like', negated: false },
  stringnotlike: { comparison: 'like', negated: true },
  // ArnEquals and ArnLike both take wildcards in IAM.
  arnequals: { comparison: 'like', negated: false },
  arnlike: { comparison: 'like', negated: false },
  arnnotequals: { comparison: 'like', negated: true },
  arnnotlike: { comparison: 'like', negated: true },
  bool: { comparison: 'bool', negated: false },
}

function malformed(message: string): SealboxError {
  return new SealboxError('MalformedPolicyDocumentException', message)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A string or a non-empty array of strings, as IAM allows for most elements. */
function stringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (list.length === 0) throw malformed(`${what} is an empty list`)
  for (const item of list) {
    if (typeof item !== 'string' || item.length === 0) {
      throw malformed(`${what} must be a non-empty string or a list of them`)
    }
  }
  return list as string[]
}

/**
 * Parses and checks a key policy document. Throws `MalformedPolicyDocumentException` naming the
 * first thing that is wrong. The result is what `evaluatePolicy` walks.
 */
export function compilePolicy(policyJson: string): CompiledPolicy {
  if (typeof policyJson !== 'string' || policyJson.length === 0) {
    throw malformed('the policy document is empty')
  }
  const bytes = Buffer.byteLength(policyJson, 'utf8')
  if (bytes > MAX_POLICY_BYTES) {
    throw malformed(
      `the policy document is ${bytes} bytes; a key policy may have at most ${MAX_POLICY_BYTES}`,
    )
  }
  let doc: unknown
  try {
    doc = JSON.parse(policyJson)
  } catch (e) {
    throw malformed(`the policy document is not valid JSON: ${(e as Error).message}`)
  }
  if (!isObject(doc)) throw malformed('the policy document must be a JSON object')
  for (const name of Object.keys(doc)) {
    if (!POLICY_ELEMENTS.has(name)) {
      throw malformed(`unknown policy element '${name}' (expected Version, Id and Statement)`)
    }
  }
  if (doc['Version'] === undefined)
    throw malformed('the policy has no \'Version\' (use "2012-10-17")')
  if (typeof doc['Version'] !== 'string' || !VERSIONS.has(doc['Version'])) {
    throw malformed(
      `unsupported policy Version ${JSON.stringify(doc['Version'])}: expected "2012-10-17" or "2008-10-17"`,
    )
  }
  if (doc['Id'] !== undefined && typeof doc['Id'] !== 'string')
    throw malformed("the policy 'Id' must be a string")
  const raw = doc['Statement']
  if (raw === undefined) throw malformed("the policy has no 'Statement'")
  const statements = Array.isArray(raw) ? (raw as unknown[]) : [raw]
  if (statements.length === 0) throw malformed("the policy's 'Statement' list is empty")
  return { statements: statements.map((s, i) => compileStatement(s, i + 1)) }
}

function compileStatement(raw: unknown, index: number): CompiledStatement {
  if (!isObject(raw)) throw malformed(`statement ${index} must be a JSON object`)
  const sid = raw['Sid']
  if (sid !== undefined && typeof sid !== 'string')
    throw malformed(`statement ${index}: 'Sid' must be a string`)
  const label =
    sid === undefined || sid === ''
      ? `statement ${index}`
      : `statement ${index} (Sid ${JSON.stringify(sid)})`
  for (const name of Object.keys(raw)) {
    if (!STATEMENT_ELEMENTS.has(name)) throw malformed(`${label}: unknown element '${name}'`)
  }
  const effect = raw['Effect']
  if (effect === undefined) throw malformed(`${label}: missing 'Effect'`)
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw malformed(`${label}: 'Effect' is ${JSON.stringify(effect)}; expected "Allow" or "Deny"`)
  }
  return {
    label,
    effect,
    principal: compilePrincipal(raw, label),
    action: compilePatterns(raw, label, 'Action', 'NotAction', compileAction),
    resource: compilePatterns(raw, label, 'Resource', 'NotResource', compileResource),
    conditions: compileConditions(raw['Condition'], label),
  }
}

function exactlyOne(
  raw: Record<string, unknown>,
  label: string,
  a: string,
  b: string,
): [unknown, boolean] {
  const hasA = raw[a] !== undefined
  const hasB = raw[b] !== undefined
  if (hasA && hasB) throw malformed(`${label}: has both '${a}' and '${b}'; use one`)
  if (!hasA && !hasB) throw malformed(`${label}: missing '${a}'`)
  return hasA ? [raw[a], false] : [raw[b], true]
}

function compilePrincipal(raw: Record<string, unknown>, label: string): PrincipalMatcher {
  const [value, negated] = exactlyOne(raw, label, 'Principal', 'NotPrincipal')
  const element = negated ? 'NotPrincipal' : 'Principal'
  const accounts = new Set<string>()
  const arns = new Set<string>()
  if (value === '*') return { negated, anyone: true, accounts, arns }
  if (!isObject(value) || Object.keys(value).length === 0) {
    throw malformed(
      `${label}: '${element}' must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}`,
    )
  }
  let anyone = false
  for (const [type, names] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) {
      throw malformed(
        `${label}: unknown principal type '${type}' (expected AWS, Service, Federated or CanonicalUser)`,
      )
    }
    const list = stringList(names, `${label}: '${element}.${type}'`)
    // Only AWS principals can call the embedded KMS; the other types are kept but never match.
    if (type !== 'AWS') continue
    for (const name of list) {
      const root = ACCOUNT_ROOT.exec(name)
      if (name === '*') anyone = true
      else if (ACCOUNT_ID.test(name)) accounts.add(name)
      else if (root !== null) accounts.add(root[1]!)
      else if (IAM_PRINCIPAL.test(name) && !name.includes('*')) arns.add(name)
      else {
        throw malformed(
          `${label}: invalid principal ${JSON.stringify(name)}: expected "*", a 12-digit account id, or an IAM user, role or account-root ARN`,
        )
      }
    }
  }
  return { negated, anyone, accounts, arns }
}

function compileAction(name: string, label: string): RegExp {
  if (name !== '*' && !ACTION.test(name)) {
    throw malformed(
      `${label}: invalid action ${JSON.stringify(name)}: expected "*" or "service:Operation" such as "kms:Encrypt" or "kms:GenerateDataKey*"`,
    )
  }
  return wildcardPattern(name, true)
}

function compileResource(name: string, label: string): RegExp {
  if (name !== '*' && !name.startsWith('arn:')) {
    throw malformed(`${label}: invalid resource ${JSON.stringify(name)}: expected "*" or a key ARN`)
  }
  return wildcardPattern(name, false)
}

function compilePatterns(
  raw: Record<string, unknown>,
  label: string,
  element: string,
  notElement: string,
  compile: (name: string, label: string) => RegExp,
): PatternList {
  const [value, negated] = exactlyOne(raw, label, element, notElement)
  const names = stringList(value, `${label}: '${negated ? notElement : element}'`)
  return { negated, patterns: names.map((n) => compile(n, label)) }
}

function compileConditions(raw: unknown, label: string): CompiledCondition[] {
  if (raw === undefined) return []
  if (!isObject(raw)) throw malformed(`${label}: 'Condition' must be a JSON object`)
  const out: CompiledCondition[] = []
  for (const [operator, block] of Object.entries(raw)) {
    const parsed = parseOperator(operator, label)
    if (!isObject(block) || Object.keys(block).length === 0) {
      throw malformed(
        `${label}: condition '${operator}' must be an object of condition keys to values`,
      )
    }
    for (const [key, value] of Object.entries(block)) {
      if (!CONDITION_KEY.test(key)) {
        throw malformed(
          `${label}: invalid condition key ${JSON.stringify(key)} under '${operator}'`,
        )
      }
      const values = conditionValues(value, `${label}: condition '${operator}' on '${key}'`)
      if (parsed.kind === 'null' && values.some((v) => v !== 'true' && v !== 'false')) {
        throw malformed(`${label}: condition 'Null' on '${key}' takes "true" or "false"`)
      }
      out.push({
        ...parsed,
        operator,
        key: key.toLowerCase(),
        values,
        patterns: parsed.comparison === 'like' ? values.map((v) => wildcardPattern(v, false)) : [],
      })
    }
  }
  return out
}

function conditionValues(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (list.length === 0) throw malformed(`${what} has an empty list of values`)
  return list.map((v) => {
    if (typeof v === 'string') return v
    if (typeof v === 'boolean' || typeof v === 'number') return String(v)
    throw malformed(`${what}: values must be strings`)
  })
}

function parseOperator(
  operator: string,
  label: string,
): Pick<CompiledCondition, 'kind' | 'comparison' | 'negated' | 'setOperator' | 'ifExists'> {
  let rest = operator
  let setOperator: CompiledCondition['setOperator']
  const colon = rest.indexOf(':')
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase()
    if (prefix === 'foranyvalue') setOperator = 'ForAnyValue'
    else if (prefix === 'forallvalues') setOperator = 'ForAllValues'
    else
      throw malformed(
        `${label}: unknown condition set operator in '${operator}' (expected ForAnyValue: or ForAllValues:)`,
      )
    rest = rest.slice(colon + 1)
  }
  let ifExists = false
  if (/IfExists$/i.test(rest)) {
    ifExists = true
    rest = rest.slice(0, -'IfExists'.length)
  }
  const lower = rest.toLowerCase()
  if (lower === 'null') {
    if (ifExists || setOperator !== undefined) {
      throw malformed(
        `${label}: condition operator '${operator}' is not valid; 'Null' takes no prefix or suffix`,
      )
    }
    return { kind: 'null', comparison: 'equals', negated: false, setOperator, ifExists }
  }
  const known = STRING_OPERATORS[lower]
  if (known === undefined) {
    throw malformed(
      `${label}: condition operator '${operator}' is not supported (supported: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null, with ForAnyValue:/ForAllValues: and ...IfExists)`,
    )
  }
  return { kind: 'compare', ...known, setOperator, ifExists }
}
