import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { isSealboxError, type ErrorCode } from '../../src/errors/index.js'
import { REGULAR_FRAME_OVERHEAD } from '../../src/format/index.js'
import {
  decryptBytes,
  decryptFile,
  decryptStream,
  encryptBytes,
  openEmbeddedKms,
  readHeader,
  type LocalKmsHandle,
} from '../../src/index.js'
import { pattern } from './support/messages.js'

const context = { purpose: 'sweep', tenant: 'blue' }
const FRAME = 48

/** The message as a stream of small chunks, as it would arrive from a pipe or a socket. */
async function* inChunks(message: Uint8Array, size = 50): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < message.length; at += size) yield message.subarray(at, at + size)
}

/** What a stream released before it failed (it must fail). */
async function releasedBeforeFailure(
  stream: AsyncIterable<Uint8Array>,
  where: string,
): Promise<{ released: Buffer; error: unknown }> {
  const parts: Uint8Array[] = []
  try {
    for await (const part of stream) parts.push(Buffer.from(part))
  } catch (error) {
    return { released: Buffer.concat(parts), error }
  }
  assert.fail(`${where}: the altered message decrypted`)
}

void describe(
  'flipping any byte of a message wrapped by the embedded KMS',
  { concurrency: true },
  () => {
    let root: string
    let local: LocalKmsHandle
    let keyId: string

    before(async () => {
      // tmpfs when there is one: every Decrypt writes an audit event, whose fsyncs are not under test
      root = await mkdtemp(
        join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sealbox-sweep-kms-'),
      )
      local = openEmbeddedKms({ home: join(root, 'home') })
      keyId = await local.defaultKeyId()
    })
    after(async () => {
      local.close()
      await rm(root, { recursive: true, force: true })
    })

    for (const signed of [false, true]) {
      void test(`${signed ? 'signed' : 'unsigned'}: every flip fails with a SealboxError; bytes and file release nothing, a stream no frame past the flip`, async () => {
        const plaintext = pattern(200)
        const message = Buffer.from(
          await encryptBytes(plaintext, {
            kms: local.kms,
            keyIds: [keyId],
            encryptionContext: context,
            frameLength: FRAME,
            signed,
          }),
        )
        const options = { kms: local.kms, expectedContext: context }
        const header = await readHeader(message)
        assert.deepEqual(
          header.encryptedDataKeys.map((e) => e.providerId),
          ['aws-kms'],
          'the data key is wrapped by the KMS only',
        )
        assert.equal(header.encryptedDataKeys[0]!.providerInfo, keyId)
        assert.equal(header.frameLength, FRAME)
        const headerLength = header.headerLength!
        const regularFrames = Math.ceil(plaintext.length / FRAME) - 1
        assert.ok(regularFrames >= 4, 'several frames')

        // the untouched message opens, on every path
        assert.deepEqual((await decryptBytes(message, options)).plaintext, plaintext)
        const streamed: Uint8Array[] = []
        for await (const part of decryptStream(inChunks(message), options)) streamed.push(part)
        assert.deepEqual(new Uint8Array(Buffer.concat(streamed)), plaintext)
        const dir = await mkdtemp(join(root, 'files-'))
        const input = join(dir, 'in.sealed')
        const output = join(dir, 'out')
        await writeFile(input, message)
        await decryptFile(input, output, options)
        await rm(output)

        const codes = new Map<ErrorCode, number>()
        const count = (e: unknown, where: string): true => {
          assert.ok(isSealboxError(e), `${where}: ${String(e)}`)
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1)
          return true
        }
        for (let i = 0; i < message.length; i++) {
          const altered = Buffer.from(message)
          altered[i]! ^= 0x01
          await assert.rejects(decryptBytes(altered, options), (e: unknown) =>
            count(e, `bytes, byte ${i}`),
          )
          await writeFile(input, altered)
          await assert.rejects(decryptFile(input, output, options), (e: unknown) =>
            count(e, `file, byte ${i}`),
          )
          assert.deepEqual(await readdir(dir), ['in.sealed'], `byte ${i} left output behind`)
          // A stream hands out each regular frame once its tag verifies (its consumer discards
          // them on error), so it may release the frames before the altered one, never more: nothing
          // for a flip in the header, and never the final frame, which waits for the end (and the
          // signature).
          const { released, error } = await releasedBeforeFailure(
            decryptStream(inChunks(altered), options),
            `stream, byte ${i}`,
          )
          count(error, `stream, byte ${i}`)
          const frame =
            i < headerLength ? 0 : Math.floor((i - headerLength) / (FRAME + REGULAR_FRAME_OVERHEAD))
          assert.ok(
            released.length <= Math.min(frame, regularFrames) * FRAME,
            `stream, byte ${i} (frame ${frame}): released ${released.length} bytes`,
          )
          assert.deepEqual(
            new Uint8Array(released),
            plaintext.subarray(0, released.length),
            `stream, byte ${i}: released bytes that are not the plaintext`,
          )
        }
        assert.equal(
          [...codes.values()].reduce((a, b) => a + b, 0),
          3 * message.length,
          'every flip failed on every path',
        )
        // Each part of the message is caught by its own check: the context before the KMS is
        // asked; the key ARN and the wrapped key by the KMS (no such key, a blob under another
        // key, a blob that does not open); the rest by the format.
        for (const c of [
          'NotAMessage',
          'ContextMismatch',
          'NotFoundException',
          'IncorrectKeyException',
          'InvalidCiphertextException',
          'KeyCommitmentMismatch',
          'HeaderAuthFailed',
          'FrameAuthFailed',
        ] as const) {
          assert.ok((codes.get(c) ?? 0) > 0, `${c} among ${JSON.stringify([...codes])}`)
        }
        if (signed) assert.ok((codes.get('SignatureInvalid') ?? 0) > 0)
        await rm(dir, { recursive: true, force: true })
      })
    }
  },
)
