import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CryptoRateLimit } from './crypto-rate-limit.js'

test('a burst of one second of quota, then refusals, then refills at the rate', () => {
  let now = 0
  const limit = new CryptoRateLimit(10, () => now)
  const burst = Array.from({ length: 12 }, () => limit.admit('Encrypt'))
  assert.deepEqual(burst, [...Array<boolean>(10).fill(true), false, false])
  now += 500 // half a second: five more
  const later = Array.from({ length: 6 }, () => limit.admit('GenerateDataKey'))
  assert.deepEqual(later, [true, true, true, true, true, false])
  now += 60_000 // a long pause refills no more than one second's worth
  assert.equal(Array.from({ length: 11 }, () => limit.admit('Decrypt')).filter(Boolean).length, 10)
})

test('only cryptographic operations count against the quota', () => {
  const limit = new CryptoRateLimit(1, () => 0)
  assert.equal(limit.admit('ReEncrypt'), true)
  assert.equal(limit.admit('GenerateRandom'), false)
  for (const op of ['DescribeKey', 'CreateKey', 'ListGrants', 'ScheduleKeyDeletion'] as const)
    assert.equal(limit.admit(op), true, op)
})

test('a rate below one a second still admits one request per 1/rate seconds', () => {
  let now = 0
  const limit = new CryptoRateLimit(0.5, () => now)
  assert.equal(limit.admit('Encrypt'), true)
  assert.equal(limit.admit('Encrypt'), false)
  now += 1000
  assert.equal(limit.admit('Encrypt'), false)
  now += 1000
  assert.equal(limit.admit('Encrypt'), true)
})
