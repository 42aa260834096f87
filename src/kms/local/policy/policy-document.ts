/** A key policy after validation, ready to evaluate many times. */
export interface CompiledPolicy {
  statements: CompiledStatement[]
}

export interface CompiledStatement {
  /** `statement 2 (Sid "Allow use of the key")`: how messages name it. */
  label: string
  effect: 'Allow' | 'Deny'
  principal: PrincipalMatcher
  action: PatternList
  resource: PatternList
  conditions: CompiledCondition[]
}

export interface PrincipalMatcher {
  /** `NotPrincipal`: the statement applies to everyone the list does not name. */
  negated: boolean
  anyone: boolean
  /** Accounts named by `arn:aws:iam::<account>:root` or a bare account id. */
  accounts: ReadonlySet<string>
  arns: ReadonlySet<string>
}

export interface PatternList {
  /** `NotAction` / `NotResource`. */
  negated: boolean
  patterns: RegExp[]
}

export type StringComparison = 'equals' | 'equalsIgnoreCase' | 'like' | 'bool'

export interface CompiledCondition {
  operator: string
  /** Lowercase condition key, e.g. `kms:encryptioncontext:department`. */
  key: string
  values: string[]
  kind: 'compare' | 'null'
  comparison: StringComparison
  negated: boolean
  setOperator: 'ForAnyValue' | 'ForAllValues' | undefined
  ifExists: boolean
  /** Patterns for `like` comparisons, one per value. */
  patterns: RegExp[]
}
