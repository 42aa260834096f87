import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { wildcardPattern } from './wildcard-pattern.js'

// Regex metacharacters, non-ASCII letters and printable ASCII: what a naive translation breaks on.
const unit = fc.oneof(
  fc.constantFrom(...'\\^$.|+()[]{}/-:\n'),
  fc.constantFrom('a', 'B', 'é', '😀'),
  fc.string({ minLength: 1, maxLength: 1 }),
)

void test('a pattern without wildcards matches exactly itself, whatever characters it holds', () => {
  const literal = fc.string({ unit }).filter((s) => !s.includes('*') && !s.includes('?'))
  fc.assert(
    fc.property(literal, literal, (a, b) => {
      assert.equal(wildcardPattern(a, false).test(b), a === b)
    }),
  )
})

void test('* matches any run, ? exactly one character, across slashes and newlines', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), unit, (pre, post, one) => {
      const safe = (s: string): string => s.replace(/[*?]/g, '_')
      assert.ok(wildcardPattern(`${safe(pre)}*`, false).test(`${safe(pre)}${post}`))
      assert.ok(wildcardPattern(`${safe(pre)}?`, false).test(`${safe(pre)}${one}`))
      assert.ok(!wildcardPattern(`${safe(pre)}?`, false).test(safe(pre)))
    }),
  )
  assert.ok(wildcardPattern('a*b', false).test('a/\nb'))
})

void test('ignoreCase compares without regard to case', () => {
  assert.ok(wildcardPattern('kms:Generate*', true).test('KMS:GENERATEDATAKEY'))
  assert.ok(!wildcardPattern('kms:Generate*', false).test('KMS:GENERATEDATAKEY'))
})
