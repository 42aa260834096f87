import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSecretContext, secretContext, wrongLocation } from './secret-context.js'

void test('the context binds path and version', () => {
  assert.deepEqual(secretContext('app/db', 3), {
    'sealbox:secret': 'app/db',
    'sealbox:version': '3',
  })
  assert.equal(isSecretContext(secretContext('app/db', 3), 'app/db', 3), true)
  assert.equal(isSecretContext(secretContext('app/db', 3), 'app/db', 4), false)
  assert.equal(isSecretContext(secretContext('app/db', 3), 'app/dc', 3), false)
})

void test('wrong-location errors name where the value was sealed for', () => {
  const moved = wrongLocation('app/b', 1, secretContext('app/a', 2))
  assert.equal(moved.code, 'WrongLocation')
  assert.match(
    moved.message,
    /secret 'app\/b' version 1 holds a value sealed for 'app\/a' version 2/,
  )
  const replayed = wrongLocation('app/a', 5, secretContext('app/a', 2))
  assert.match(replayed.message, /sealed for version 2 of the same secret/)
  const foreign = wrongLocation('app/a', 1, { purpose: 'file' })
  assert.match(foreign.message, /not sealed as a secret/)
})
