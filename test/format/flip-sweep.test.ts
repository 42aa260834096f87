import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { decryptBytes, encryptBytes, RawAesKey } from '../../src/envelope/index.js'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import { decryptFile } from '../../src/file/index.js'
import { pattern } from './support/messages.js'

const key = new RawAesKey('sealbox-test', 'sweep', new Uint8Array(32).fill(7))
const context = { purpose: 'sweep' }

for (const signed of [false, true]) {
  void test(`flipping any byte of a small ${signed ? 'signed' : 'unsigned'} message fails, and the file path leaves no output`, async () => {
    const message = Buffer.from(
      await encryptBytes(pattern(100), {
        rawKeys: [key],
        encryptionContext: context,
        frameLength: 32,
        signed,
      }),
    )
    const dir = await mkdtemp(join(tmpdir(), 'sealbox-sweep-'))
    const codes = new Map<ErrorCode, number>()
    try {
      const input = join(dir, 'in.sealed')
      const output = join(dir, 'out')
      for (let i = 0; i < message.length; i++) {
        const altered = Buffer.from(message)
        altered[i]! ^= 0xff
        await assert.rejects(
          decryptBytes(altered, { rawKeys: [key], expectedContext: context }),
          `byte ${i}`,
        )
        await writeFile(input, altered)
        await assert.rejects(
          decryptFile(input, output, { rawKeys: [key], expectedContext: context }),
          (e: unknown) => {
            assert.ok(isSealboxError(e), `byte ${i}: ${String(e)}`)
            codes.set(e.code, (codes.get(e.code) ?? 0) + 1)
            return true
          },
        )
        assert.deepEqual(await readdir(dir), ['in.sealed'], `byte ${i} left output behind`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    // Every flip is caught by some check; each part of the message by its own.
    for (const c of [
      'NotAMessage',
      'NoUsableKey',
      'KeyCommitmentMismatch',
      'HeaderAuthFailed',
      'FrameAuthFailed',
    ] as const) {
      assert.ok((codes.get(c) ?? 0) > 0, `${c} among ${JSON.stringify([...codes])}`)
    }
    if (signed) assert.ok((codes.get('SignatureInvalid') ?? 0) > 0)
  })
}
