import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { FaultInjection } from './fault-injection.js'
import { seededRandom } from './seeded-random.js'

function scripted(...draws: number[]): () => number {
  return () => {
    const next = draws.shift()
    assert.ok(next !== undefined, 'no draw left')
    return next
  }
}

test('a draw below the rate injects the type, with its AWS status; others pass', () => {
  const faults = new FaultInjection({
    rate: 0.5,
    types: ['DependencyTimeoutException'],
    random: scripted(0.4, 0.5),
  })
  assert.deepEqual(faults.draw('Encrypt').error, {
    status: 503,
    type: 'DependencyTimeoutException',
    message: 'injected fault (sealbox serve --fault-rate)',
    internal: false,
  })
  assert.equal(faults.draw('Encrypt').error, undefined)
})

test('the type is drawn evenly among those the operation can raise at AWS', () => {
  const all = [
    'KMSInternalException',
    'DependencyTimeoutException',
    'KeyUnavailableException',
  ] as const
  const typeOf = (op: 'Encrypt' | 'DescribeKey' | 'TagResource', draw: number) =>
    new FaultInjection({ rate: 1, types: all, random: scripted(0, draw) }).draw(op).error?.type
  assert.deepEqual(
    [0, 0.34, 0.67].map((d) => typeOf('Encrypt', d)),
    ['KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException'],
  )
  // DescribeKey uses no key material: no KeyUnavailableException
  assert.deepEqual(
    [0, 0.99].map((d) => typeOf('DescribeKey', d)),
    ['KMSInternalException', 'DependencyTimeoutException'],
  )
  // TagResource's model lists no DependencyTimeoutException: one type left, no second draw
  const tag = new FaultInjection({ rate: 1, types: all, random: scripted(0) })
  assert.equal(tag.draw('TagResource').error?.type, 'KMSInternalException')
  const onlyKey = new FaultInjection({
    rate: 1,
    types: ['KeyUnavailableException'],
    random: scripted(0),
  })
  assert.equal(onlyKey.draw('ListKeys').error, undefined)
})

test('latency is drawn for cryptographic requests only, from min to max inclusive', () => {
  const faults = new FaultInjection({
    latency: { min: 100, max: 200 },
    random: scripted(0, 0.999999, 0.5),
  })
  assert.deepEqual(faults.draw('Encrypt'), { error: undefined, delayMs: 100 })
  assert.equal(faults.draw('GenerateRandom').delayMs, 200)
  assert.equal(faults.draw('DescribeKey').delayMs, 0)
  assert.equal(faults.draw('Decrypt').delayMs, 150)
  const fixed = new FaultInjection({ latency: { min: 30, max: 30 }, random: scripted() })
  assert.equal(fixed.draw('GenerateDataKey').delayMs, 30)
})

test('with seeded draws, the same requests meet the same faults and delays', () => {
  const run = () => {
    const faults = new FaultInjection({
      rate: 0.3,
      types: ['KMSInternalException', 'DependencyTimeoutException', 'KeyUnavailableException'],
      latency: { min: 0, max: 50 },
      random: seededRandom(7),
    })
    return Array.from({ length: 200 }, (_, i) => {
      const { error, delayMs } = faults.draw(i % 3 === 0 ? 'DescribeKey' : 'Decrypt')
      return `${error?.type ?? 'ok'}/${delayMs}`
    })
  }
  const first = run()
  assert.deepEqual(run(), first)
  const faulted = first.filter((r) => !r.startsWith('ok')).length
  assert.ok(faulted > 30 && faulted < 90, `${faulted} of 200 faulted at a rate of 0.3`)
})

test('options a server cannot honour are refused when it is made', () => {
  const refused = (options: ConstructorParameters<typeof FaultInjection>[0], message: RegExp) =>
    assert.throws(
      () => new FaultInjection(options),
      (e: unknown) => isSealboxError(e, 'UsageError') && message.test(e.message),
    )
  refused({ rate: 1.5 }, /fault rate must be from 0 to 1, not 1.5/)
  refused({ rate: -0.1 }, /fault rate/)
  refused({ rate: Number.NaN }, /fault rate/)
  refused({ rate: 0.1, types: [] }, /fault types must be one or more of KMSInternalException/)
  refused(
    { rate: 0.1, types: ['Boom' as 'KMSInternalException'] },
    /fault types must be .*, not 'Boom'/,
  )
  refused(
    { latency: { min: 200, max: 100 } },
    /latency must be whole milliseconds with 0 <= min <= max, not 200-100/,
  )
  refused({ latency: { min: -5, max: 10 } }, /latency must be/)
  refused({ latency: { min: 1.5, max: 10 } }, /latency must be/)
  new FaultInjection({ rate: 0, types: ['ThrottlingException'], latency: { min: 0, max: 0 } })
})
