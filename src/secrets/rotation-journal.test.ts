import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import {
  decodeJournal,
  encodeJournal,
  resumes,
  rotationStep,
  type LatestState,
  type RotationJournal,
} from './rotation-journal.js'

const journal: RotationJournal = {
  id: 'r1',
  targetKeyArns: ['arn:aws:kms:us-east-1:111122223333:key/new'],
  patterns: ['app/*'],
  startedAt: '2026-01-01T00:00:00.000Z',
}
const mark = new Date('2026-01-01T00:00:10Z')
const latest = (over: Partial<LatestState>): LatestState => ({
  deleted: false,
  keyArns: journal.targetKeyArns,
  lastModified: new Date('2026-01-01T00:00:20Z'),
  rotationId: undefined,
  ...over,
})

void describe('rotation journal', () => {
  void test('encodes and decodes', () => {
    assert.deepEqual(decodeJournal(encodeJournal(journal), 'x'), journal)
  })

  void test('an unreadable journal is a clear error with a way out', () => {
    for (const text of ['{', '{}', '{"format":"sealbox-rotation/1","id":1}', 'null']) {
      assert.throws(
        () => decodeJournal(new TextEncoder().encode(text), 's3://b/.sealbox/rotation.json'),
        (e) =>
          isSealboxError(e, 'ConfigInvalid') &&
          e.message.includes('s3://b/') &&
          e.hint !== undefined,
      )
    }
  })

  void test('a version on the target key written after the start is fresh', () => {
    assert.equal(rotationStep(latest({}), journal, mark), 'fresh')
  })
  void test('times are compared in whole seconds: the start second itself is not after the start', () => {
    const sameSecondLater = new Date(mark.getTime() + 900)
    assert.equal(rotationStep(latest({ lastModified: sameSecondLater }), journal, mark), 'rotate')
    assert.equal(
      rotationStep(latest({ lastModified: new Date(mark.getTime() + 1000) }), journal, mark),
      'fresh',
    )
  })
  void test('key sets compare in any order', () => {
    const two = { ...journal, targetKeyArns: ['arn:a', 'arn:b'] }
    assert.equal(rotationStep(latest({ keyArns: ['arn:b', 'arn:a'] }), two, mark), 'fresh')
    assert.equal(rotationStep(latest({ keyArns: ['arn:a'] }), two, mark), 'rotate')
  })
  void test('a version written by this run is fresh even with a coarse clock', () => {
    assert.equal(
      rotationStep(latest({ lastModified: mark, rotationId: 'r1' }), journal, mark),
      'fresh',
    )
  })
  void test('a version on another key is rotated however new it is', () => {
    assert.equal(rotationStep(latest({ keyArns: ['arn:old'] }), journal, mark), 'rotate')
    assert.equal(rotationStep(latest({ keyArns: [] }), journal, mark), 'rotate')
  })
  void test('a version on the target key from before the start is rotated (new data key)', () => {
    assert.equal(
      rotationStep(latest({ lastModified: new Date('2025-12-31T00:00:00Z') }), journal, mark),
      'rotate',
    )
    assert.equal(rotationStep(latest({ lastModified: mark }), journal, mark), 'rotate')
    assert.equal(
      rotationStep(latest({ lastModified: mark, rotationId: 'r0' }), journal, mark),
      'rotate',
    )
  })
  void test('deleted secrets are left alone', () => {
    assert.equal(
      rotationStep(latest({ deleted: true, keyArns: ['arn:old'] }), journal, mark),
      'deleted',
    )
  })
  void test('a journal resumes only the same target and patterns', () => {
    assert.equal(resumes(journal, journal.targetKeyArns, ['app/*']), true)
    assert.equal(resumes(journal, ['arn:other'], ['app/*']), false)
    assert.equal(resumes(journal, journal.targetKeyArns, []), false)
  })
  void test('keeping each secret on its keys: any keys, fresh only when written by or after the run', () => {
    const keep = { ...journal, targetKeyArns: [] }
    for (const keyArns of [['arn:old'], ['arn:a', 'arn:b']]) {
      assert.equal(rotationStep(latest({ keyArns }), keep, mark), 'fresh')
      assert.equal(rotationStep(latest({ keyArns, lastModified: mark }), keep, mark), 'rotate')
      assert.equal(
        rotationStep(latest({ keyArns, lastModified: mark, rotationId: 'r1' }), keep, mark),
        'fresh',
      )
    }
    assert.equal(resumes(keep, [], ['app/*']), true)
    assert.equal(resumes(keep, ['arn:new'], ['app/*']), false)
    assert.equal(resumes(journal, [], ['app/*']), false)
  })
})
