import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { anyGlob, compileGlob, isLiteralPattern } from './glob.js'

const PATHS = [
  'app',
  'app/db',
  'app/db-password',
  'app/x/db',
  'app/x/y/db',
  'apple',
  'web/db',
  'a.b',
  'aXb',
]

function matching(pattern: string): string[] {
  const glob = compileGlob(pattern)
  return PATHS.filter((p) => glob.matches(p))
}

void describe('secret patterns', () => {
  const table: Array<[string, string[]]> = [
    ['app/*', ['app/db', 'app/db-password']],
    ['app/**', ['app/db', 'app/db-password', 'app/x/db', 'app/x/y/db']],
    ['app/', ['app/db', 'app/db-password', 'app/x/db', 'app/x/y/db']],
    ['**', PATHS],
    ['**/db', ['app/db', 'app/x/db', 'app/x/y/db', 'web/db']],
    ['app/**/db', ['app/db', 'app/x/db', 'app/x/y/db']],
    ['app', ['app']],
    ['/app/db', ['app/db']],
    ['app*', ['app', 'apple']],
    ['*/db', ['app/db', 'web/db']],
    ['a?b', ['a.b', 'aXb']],
    ['a.b', ['a.b']],
    ['[aw]*/db', ['app/db', 'web/db']],
    ['[!a]*/db', ['web/db']],
    ['app/db-*', ['app/db-password']],
  ]
  for (const [pattern, expected] of table) {
    void test(`'${pattern}'`, () => assert.deepEqual(matching(pattern), expected))
  }

  void test('the literal prefix is what listing can start from', () => {
    assert.equal(compileGlob('app/*').literalPrefix, 'app/')
    assert.equal(compileGlob('app/db').literalPrefix, 'app/db')
    assert.equal(compileGlob('**/db').literalPrefix, '')
    assert.equal(anyGlob(['app/x/*', 'app/y']).literalPrefix, 'app/')
    assert.equal(anyGlob([]).literalPrefix, '')
  })

  void test('several patterns match the union', () => {
    const glob = anyGlob(['web/*', 'app'])
    assert.deepEqual(
      PATHS.filter((p) => glob.matches(p)),
      ['app', 'web/db'],
    )
  })

  void test('bad patterns are usage errors', () => {
    for (const bad of ['', 'a**', 'a/**b', 'a[b', 'a//b']) {
      assert.throws(
        () => compileGlob(bad),
        (e) => isSealboxError(e, 'UsageError'),
        bad,
      )
    }
  })

  void test('literal patterns are told apart', () => {
    assert.equal(isLiteralPattern('app/db'), true)
    assert.equal(isLiteralPattern('app/*'), false)
    assert.equal(isLiteralPattern('app/'), false)
    assert.equal(isLiteralPattern('a?'), false)
  })
})
