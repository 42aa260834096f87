import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { utf8 } from '../../src/bytes/index.js'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import {
  algorithmSuite,
  beginOpen,
  beginSeal,
  DEFAULT_LIMITS,
  FINAL_FRAME_OVERHEAD,
  parseHeader,
  REGULAR_FRAME_OVERHEAD,
  SUITE_COMMIT,
} from '../../src/format/index.js'
import { DATA_KEY, openMessage, pattern, sealMessage } from './support/messages.js'

function fails(f: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isSealboxError(e), String(e))
    assert.equal(e.code, code, e.message)
    if (message) assert.match(e.message, message)
    return true
  })
}

function headerLength(message: Uint8Array): number {
  const parsed = parseHeader(message, DEFAULT_LIMITS)
  assert.ok(parsed.done)
  return parsed.length
}

/** Offsets where each frame starts, and where the body ends. */
function frameOffsets(message: Uint8Array, frameLength: number, frames: number): number[] {
  const h = headerLength(message)
  return Array.from({ length: frames }, (_, i) => h + i * (frameLength + REGULAR_FRAME_OVERHEAD))
}

void describe('framed body', () => {
  void test('sizes around frame boundaries round-trip, with a full final frame on a boundary', () => {
    for (const F of [1, 7, 64]) {
      for (const n of [0, 1, F - 1, F, F + 1, 2 * F - 1, 2 * F, 2 * F + 1, 3 * F]) {
        for (const signed of [false, true]) {
          const pt = pattern(Math.max(0, n))
          const msg = sealMessage(pt, F, { signed })
          assert.deepEqual(
            Buffer.from(openMessage(msg)),
            Buffer.from(pt),
            `F=${F} n=${n} signed=${signed}`,
          )
          if (!signed) {
            const frames = Math.max(1, Math.ceil(pt.length / F))
            const last = pt.length - (frames - 1) * F
            const expected =
              headerLength(msg) +
              (frames - 1) * (F + REGULAR_FRAME_OVERHEAD) +
              last +
              FINAL_FRAME_OVERHEAD
            assert.equal(msg.length, expected, `F=${F} n=${n}: ${frames} frames, final of ${last}`)
          }
        }
      }
    }
  })

  void test('property: any plaintext near a frame boundary, any chunking on either side, round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: -2, max: 2 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (F, k, d, sealChunks, openChunks, signed) => {
          const pt = pattern(Math.max(0, k * F + d), F + k)
          const msg = sealMessage(pt, F, { signed, chunks: sealChunks })
          const back = openMessage(msg, { chunks: openChunks })
          assert.equal(back.length, pt.length)
          assert.deepEqual(Buffer.from(back), Buffer.from(pt))
        },
      ),
      { numRuns: 150 },
    )
  })

  void test('the chunking of the plaintext does not change the body', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 }),
        (chunks) => {
          const pt = pattern(333)
          const messageId = new Uint8Array(32).fill(4)
          const a = sealMessage(pt, 16, { chunks, messageId })
          const b = sealMessage(pt, 16, { messageId })
          assert.deepEqual(Buffer.from(a), Buffer.from(b))
        },
      ),
      { numRuns: 50 },
    )
  })

  void test('truncation at every frame boundary (and at every byte) is Truncated', () => {
    for (const signed of [false, true]) {
      const F = 32
      const msg = sealMessage(pattern(3 * F + 5), F, { signed })
      const cuts = [...frameOffsets(msg, F, 4)]
      const bodyEnd = cuts[3]! + 5 + FINAL_FRAME_OVERHEAD
      if (signed) cuts.push(bodyEnd)
      for (const cut of cuts) {
        fails(
          () => openMessage(msg.subarray(0, cut)),
          'Truncated',
          signed && cut === bodyEnd ? /footer/ : /before the final frame/,
        )
      }
      for (let cut = headerLength(msg); cut < msg.length; cut++) {
        fails(() => openMessage(msg.subarray(0, cut), { chunks: [7] }), 'Truncated')
      }
    }
  })

  void test('bytes after the message are TrailingData', () => {
    for (const signed of [false, true]) {
      const msg = sealMessage(pattern(100), 16, { signed })
      fails(() => openMessage(Buffer.concat([msg, Uint8Array.of(0)])), 'TrailingData')
      fails(() => openMessage(Buffer.concat([msg, msg]), { chunks: [50] }), 'TrailingData')
    }
  })

  void test('a swapped, repeated or dropped frame fails naming the frame', () => {
    const F = 16
    const msg = sealMessage(pattern(5 * F + 3), F)
    const [f1, f2, f3] = frameOffsets(msg, F, 3) as [number, number, number]
    const size = F + REGULAR_FRAME_OVERHEAD
    const frame = (at: number) => msg.subarray(at, at + size)
    const swapped = Buffer.concat([
      msg.subarray(0, f2),
      frame(f3),
      frame(f2),
      msg.subarray(f3 + size),
    ])
    fails(() => openMessage(swapped), 'FrameAuthFailed', /frame 2 .*sequence number 3/)
    const dropped = Buffer.concat([msg.subarray(0, f2), msg.subarray(f3)])
    fails(() => openMessage(dropped), 'FrameAuthFailed', /frame 2/)
    const repeated = Buffer.concat([msg.subarray(0, f2), frame(f1), msg.subarray(f2)])
    fails(() => openMessage(repeated), 'FrameAuthFailed', /frame 2/)
    const flipped = Buffer.from(msg)
    flipped[f3 + 20]! ^= 1
    fails(() => openMessage(flipped), 'FrameAuthFailed', /frame 3 failed authentication/)
    const badIv = Buffer.from(msg)
    badIv[f2 + 5]! ^= 1
    fails(() => openMessage(badIv), 'FrameAuthFailed', /frame 2 has an IV/)
  })

  void test('regular frames are released as they verify; the final frame only at the end', () => {
    const F = 16
    const limits = DEFAULT_LIMITS
    for (const signed of [false, true]) {
      const msg = sealMessage(pattern(3 * F + 4), F, { signed })
      const parsed = parseHeader(msg, limits)
      assert.ok(parsed.done)
      const decoder = beginOpen(
        parsed.header,
        parsed.body,
        msg.subarray(0, parsed.length),
        DATA_KEY,
        limits,
      )
      const released = decoder.push(msg.subarray(parsed.length))
      assert.equal(Buffer.concat(released).length, 3 * F, 'regular frames released, final held')
      assert.equal(decoder.complete, true)
      assert.equal(Buffer.concat(decoder.end()).length, 4)
    }
  })

  void test('a signed message with an altered signature releases no final frame', () => {
    const msg = Buffer.from(sealMessage(pattern(40), 16, { signed: true }))
    msg[msg.length - 1]! ^= 1
    const parsed = parseHeader(msg, DEFAULT_LIMITS)
    assert.ok(parsed.done)
    const decoder = beginOpen(
      parsed.header,
      parsed.body,
      msg.subarray(0, parsed.length),
      DATA_KEY,
      DEFAULT_LIMITS,
    )
    const out: Uint8Array[] = []
    assert.throws(
      () => out.push(...decoder.push(msg.subarray(parsed.length))),
      (e: unknown) => isSealboxError(e, 'SignatureInvalid'),
    )
    assert.equal(out.length, 0)
  })

  void test('an empty final frame after a full regular frame is read (the spec allows it)', () => {
    const F = 8
    const session = beginSeal({
      suite: algorithmSuite(SUITE_COMMIT)!,
      encryptionContext: {},
      encryptedDataKeys: [
        { providerId: 'test', providerInfo: utf8('key'), ciphertext: Uint8Array.of(0) },
      ],
      frameLength: F,
      dataKey: DATA_KEY,
    })
    const regular = new Uint8Array(F + REGULAR_FRAME_OVERHEAD)
    session.sealer.sealRegular(pattern(F), regular, 0)
    const final = new Uint8Array(FINAL_FRAME_OVERHEAD)
    session.sealer.sealFinal(new Uint8Array(0), final, 0)
    const msg = Buffer.concat([session.headerBytes, regular, final])
    assert.deepEqual(Buffer.from(openMessage(msg)), Buffer.from(pattern(F)))
  })

  void test('a final frame claiming more than the frame length is refused before decrypting', () => {
    const F = 16
    const msg = Buffer.from(sealMessage(pattern(5), F))
    const at = headerLength(msg) + 4 + 4 + 12
    msg.writeUInt32BE(F + 1, at)
    fails(() => openMessage(msg), 'FrameAuthFailed', /claims 17 bytes/)
  })
})
