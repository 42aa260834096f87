import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { AtomicFile, pieceLength } from './atomic-file.js'

const MiB = 1024 * 1024

/** The lengths of the calls that write `length` bytes from `position`. */
function pieces(position: number, length: number): number[] {
  const out: number[] = []
  while (length > 0) {
    const n = pieceLength(position, length)
    out.push(n)
    position += n
    length -= n
  }
  return out
}

void test('no write call covers an aligned 1 MiB run; every byte is written, in order', () => {
  fc.assert(
    fc.property(fc.nat(64 * MiB), fc.integer({ min: 1, max: 8 * MiB }), (position, length) => {
      let at = position
      for (const n of pieces(position, length)) {
        assert.ok(n > 0)
        const run = Math.ceil(at / MiB) * MiB
        assert.ok(at + n < run + MiB, `a call of ${n} at ${at} covers the run at ${run}`)
        at += n
      }
      assert.equal(at, position + length)
    }),
  )
})

void test('aligned 1 MiB writes are halved; writes covering no aligned run go out whole', () => {
  assert.deepEqual(pieces(0, MiB), [MiB / 2, MiB / 2])
  assert.deepEqual(pieces(3 * MiB, MiB), [MiB / 2, MiB / 2])
  assert.deepEqual(pieces(0, MiB - 1), [MiB - 1])
  assert.deepEqual(pieces(150, MiB + 512), [MiB + 512])
  assert.deepEqual(pieces(15 * 65536, 16 * 65536), [16 * 65536])
  assert.deepEqual(pieces(0, 3 * MiB), [MiB / 2, MiB, MiB, MiB / 2])
})

void test('buffers and lists of buffers cut across runs arrive intact; abort leaves nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealbox-atomic-'))
  try {
    const expected: Buffer[] = []
    const file = await AtomicFile.create(join(dir, 'out'))
    let seed = 1
    const next = (n: number): Buffer => {
      const b = Buffer.allocUnsafe(n)
      for (let i = 0; i < n; i++) b[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24
      expected.push(b)
      return b
    }
    await file.write(next(100))
    await file.write([next(MiB), next(0), next(3 * 65536), next(7)])
    await file.write(next(2 * MiB + 3))
    await file.write(Array.from({ length: 40 }, (_, i) => next(65536 + i)))
    await file.write(Array.from({ length: 1500 }, (_, i) => next(700 + (i % 7))))
    await file.commit()
    assert.deepEqual(await readFile(join(dir, 'out')), Buffer.concat(expected))
    assert.deepEqual(await readdir(dir), ['out'])

    const aborted = await AtomicFile.create(join(dir, 'gone'))
    await aborted.write([Buffer.alloc(MiB), Buffer.alloc(5)])
    await aborted.abort()
    assert.deepEqual(await readdir(dir), ['out'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
