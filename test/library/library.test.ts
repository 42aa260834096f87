import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decryptBytes, encryptBytes, isSealboxError, openEmbeddedKms } from '../../src/index.js'

test('the library facade: embedded KMS, default key, sealed bytes bound to their context', async () => {
  const local = openEmbeddedKms({ home: mkdtempSync(join(tmpdir(), 'sealbox-lib-')) })
  try {
    const keyId = await local.defaultKeyId()
    assert.equal(await local.defaultKeyId(), keyId)
    const data = new TextEncoder().encode('library round trip')
    const sealed = await encryptBytes(data, {
      kms: local.kms,
      keyIds: [keyId],
      encryptionContext: { purpose: 'demo' },
    })
    const { plaintext, header } = await decryptBytes(sealed, {
      kms: local.kms,
      expectedContext: { purpose: 'demo' },
    })
    assert.deepEqual(plaintext, data)
    assert.equal(header.encryptionContext['purpose'], 'demo')
    await assert.rejects(
      decryptBytes(sealed, { kms: local.kms, expectedContext: { purpose: 'other' } }),
      (e) => isSealboxError(e, 'ContextMismatch'),
    )
    assert.ok(
      [...local.audit.query({ context: { purpose: 'demo' }, operation: 'Decrypt' })].length >= 1,
    )
  } finally {
    local.close()
  }
})

test('importing the library does not load the AWS SDK', () => {
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url))
  // a resolve hook that refuses every @aws-sdk module: the import fails if the facade loads one
  const hook = `export async function resolve(specifier, context, next) {
    if (specifier.includes('@aws-sdk/')) throw new Error('loaded ' + specifier)
    return next(specifier, context)
  }`
  const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}))`
  const run = (target: string) =>
    execFileSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(target)}); process.stdout.write('ok')`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    )
  assert.equal(run(index), 'ok')
  // the hook does catch a module that loads the SDK
  assert.throws(
    () => run(fileURLToPath(new URL('../../src/kms/aws/index.js', import.meta.url))),
    /loaded @aws-sdk/,
  )
})
