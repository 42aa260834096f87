import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { envName, envNames } from './env-name.js'

void describe('environment variable names', () => {
  const table: Array<[string, string, string?]> = [
    ['app/db-password', 'APP_DB_PASSWORD'],
    ['app/db.url', 'APP_DB_URL'],
    ['Prod/API key', 'PROD_API_KEY'],
    ['1st/key', '_1ST_KEY'],
    ['ünï', '_N_'],
    ['app/db-password', 'DB_PASSWORD', 'app/'],
    ['web/db', 'WEB_DB', 'app/'],
    ['app/9lives', '_9LIVES', 'app/'],
  ]
  for (const [path, name, strip] of table) {
    void test(`${path}${strip ? ` (strip ${strip})` : ''} -> ${name}`, () =>
      assert.equal(envName(path, strip), name))
  }

  void test('two paths with one name are refused, naming both', () => {
    assert.throws(
      () => envNames(['app/db-password', 'app/db_password']),
      (e) =>
        isSealboxError(e, 'UsageError') &&
        e.message.includes('app/db-password') &&
        e.message.includes('app/db_password') &&
        e.message.includes('APP_DB_PASSWORD'),
    )
  })

  void test('a name made only of underscores is refused', () => {
    assert.throws(
      () => envNames(['ü']),
      (e) => isSealboxError(e, 'UsageError') && /no usable/.test(e.message),
    )
  })

  void test('distinct names map back to their paths', () => {
    assert.deepEqual(
      [...envNames(['app/a', 'app/b'], 'app/')],
      [
        ['A', 'app/a'],
        ['B', 'app/b'],
      ],
    )
  })
})
