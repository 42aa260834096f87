import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../../errors/index.js'
import { applyQuery } from './query.js'

const doc = {
  Aliases: [
    { AliasName: 'alias/a', TargetKeyId: 'k1', Tags: [['x', 'y'], ['z']] },
    { AliasName: 'alias/b' },
    { AliasName: 'alias/c', TargetKeyId: 'k3' },
  ],
  KeyMetadata: { KeyId: 'k1', 'Odd Name': 1 },
}

void test('fields, indexes (also negative) and quoted names', () => {
  assert.equal(applyQuery('KeyMetadata.KeyId', doc), 'k1')
  assert.equal(applyQuery('Aliases[0].AliasName', doc), 'alias/a')
  assert.equal(applyQuery('Aliases[-1].AliasName', doc), 'alias/c')
  assert.equal(applyQuery('Aliases[5].AliasName', doc), null)
  assert.equal(applyQuery('KeyMetadata."Odd Name"', doc), 1)
  assert.equal(applyQuery('Nope.Deeper', doc), null)
  assert.equal(applyQuery('KeyMetadata.KeyId.Deeper', doc), null)
})

void test('projections drop nulls; [] flattens one level; [*] on an object is null', () => {
  assert.deepEqual(applyQuery('Aliases[*].TargetKeyId', doc), ['k1', 'k3'])
  assert.deepEqual(applyQuery('Aliases[].AliasName', doc), ['alias/a', 'alias/b', 'alias/c'])
  assert.deepEqual(applyQuery('Aliases[0].Tags[]', doc), ['x', 'y', 'z'])
  assert.deepEqual(applyQuery('Aliases[*].[AliasName, TargetKeyId]', doc), [
    ['alias/a', 'k1'],
    ['alias/b', null],
    ['alias/c', 'k3'],
  ])
  assert.deepEqual(applyQuery('KeyMetadata[*]', doc), null)
  assert.deepEqual(applyQuery('Aliases[*].{N: AliasName}', doc), [
    { N: 'alias/a' },
    { N: 'alias/b' },
    { N: 'alias/c' },
  ])
  assert.deepEqual(applyQuery('@.KeyMetadata.KeyId', doc), 'k1')
})

void test('syntax outside the subset is refused as a usage error', () => {
  for (const bad of [
    'Aliases[?AliasName==`a`]',
    'a | b',
    'a.',
    '[a',
    'a[x]',
    'a b',
    '',
    'length(a)',
  ]) {
    assert.throws(
      () => applyQuery(bad, doc),
      (e) => isSealboxError(e, 'UsageError') && /--query/.test(e.message),
      bad,
    )
  }
})
