import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { isSealboxError } from '../../errors/index.js'
import { resolveSettings } from './config.js'

test('flags beat environment, environment beats the config file, the file beats defaults', () => {
  const home = mkdtempSync(join(tmpdir(), 'sealbox-config-'))
  writeFileSync(
    join(home, 'config.json'),
    JSON.stringify({ kms: 'aws', keyId: 'alias/file', region: 'eu-west-1' }),
  )
  const fromFile = resolveSettings({ home }, {})
  assert.equal(fromFile.kms, 'aws')
  assert.equal(fromFile.keyId, 'alias/file')
  assert.equal(fromFile.region, 'eu-west-1')
  const fromEnv = resolveSettings(
    { home },
    { SEALBOX_KMS: 'local', CMK_KEY_ID: 'alias/cmk', AWS_REGION: 'us-west-2' },
  )
  assert.deepEqual(
    [fromEnv.kms, fromEnv.keyId, fromEnv.region],
    ['local', 'alias/cmk', 'us-west-2'],
  )
  assert.equal(
    resolveSettings({ home }, { KMS_KEY_ID: 'alias/kms', CMK_KEY_ID: 'alias/cmk' }).keyId,
    'alias/kms',
  )
  assert.equal(
    resolveSettings(
      { home, kms: 'local', region: 'ap-south-1' },
      { SEALBOX_KMS: 'aws', AWS_REGION: 'x' },
    ).region,
    'ap-south-1',
  )
})

test('SEALBOX_HOME and S3_PATH are honoured; defaults need no file', () => {
  const home = mkdtempSync(join(tmpdir(), 'sealbox-config-'))
  const s = resolveSettings({}, { SEALBOX_HOME: home, S3_PATH: 's3://bucket/secrets/' })
  assert.equal(s.home, home)
  assert.equal(s.kms, 'local')
  assert.equal(s.keyId, undefined)
  assert.equal(s.secretsLocation, 's3://bucket/secrets/')
})

test('a broken config file or an unknown backend is a clear configuration error', () => {
  const home = mkdtempSync(join(tmpdir(), 'sealbox-config-'))
  writeFileSync(join(home, 'config.json'), '{ nope')
  assert.throws(
    () => resolveSettings({ home }, {}),
    (e) => isSealboxError(e, 'ConfigInvalid') && e.message.includes('config.json'),
  )
  assert.throws(
    () => resolveSettings({ home: tmpdir(), kms: 'gcp' }, {}),
    (e) => isSealboxError(e, 'ConfigInvalid') && /gcp/.test(e.message),
  )
})
