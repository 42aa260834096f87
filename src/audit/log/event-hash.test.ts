import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AuditEventInput } from '../types/index.js'
import { eventHash, GENESIS_HASH } from './event-hash.js'

const full: AuditEventInput = {
  time: new Date(1767225600123),
  principal: 'arn:aws:iam::000000000000:user/zoë',
  operation: 'GenerateDataKey',
  keyArn: 'arn:aws:kms:us-east-1:000000000000:key/0b0f5f3c-1111-2222-3333-444455556666',
  keyMaterialId: 'ab'.repeat(32),
  outcome: 'Success',
  requestId: '11111111-2222-3333-4444-555555555555',
  sourceIp: '::1',
  encryptionContext: { Record: 'ünï', a: '' },
}
function without(key: keyof AuditEventInput): AuditEventInput {
  const copy = { ...full }
  delete copy[key]
  return copy
}
const bare: AuditEventInput = {
  time: new Date(0),
  principal: 'anonymous',
  operation: 'TrentService.Nope',
  outcome: 'UnknownOperationException',
  requestId: 'r',
}

// Hashes of logs already on disk: written by the first implementation of the layout. A change
// here means existing audit logs would no longer verify.
test('the event hash layout is stable', () => {
  assert.equal(
    eventHash(GENESIS_HASH, 1, full),
    '0bdd5cef92b380949ae250219d5be27bf590540e65b1452c5675fa94a3cef954',
  )
  assert.equal(
    eventHash('f'.repeat(64), 2 ** 40, bare),
    '27b948c6b4eb86fc530d3756c9bd9b5663a21769c2f3fdbf9d3ba3e680d01c6b',
  )
})

test('every field, and where a value ends, changes the hash', () => {
  const base = eventHash(GENESIS_HASH, 1, full)
  const variants: AuditEventInput[] = [
    { ...full, time: new Date(1767225600124) },
    { ...full, principal: 'arn:aws:iam::000000000000:user/zoe' },
    { ...full, operation: 'Decrypt' },
    without('keyArn'),
    { ...full, keyMaterialId: '' },
    { ...full, outcome: 'AccessDeniedException' },
    { ...full, requestId: '11111111-2222-3333-4444-555555555556' },
    without('sourceIp'),
    without('encryptionContext'),
    { ...full, destinationKeyArn: full.keyArn! },
    // the field added last is not the one before it moved along
    { ...without('sourceIp'), destinationKeyArn: full.sourceIp! },
    { ...full, encryptionContext: {} },
    { ...full, encryptionContext: { Record: 'ünï' } },
    // the same characters split differently between two fields
    { ...full, principal: `${full.principal}G`, operation: 'enerateDataKey' },
  ]
  const hashes = new Set([
    base,
    eventHash(GENESIS_HASH, 2, full),
    eventHash('1'.repeat(64), 1, full),
  ])
  for (const v of variants) hashes.add(eventHash(GENESIS_HASH, 1, v))
  assert.equal(hashes.size, variants.length + 3)
})

// Events without a destination key (the vectors above) hash as they did before the field
// existed; this pins the layout of one with it.
test('a destination key is framed after the other fields', () => {
  const reEncrypt = { ...full, operation: 'ReEncrypt', destinationKeyArn: `${full.keyArn!}0` }
  assert.equal(
    eventHash(GENESIS_HASH, 1, reEncrypt),
    '3953496a286527407bcc741d3b2971ac01aebf07127bc9bfc42bf2c2241ca3e3',
  )
})
