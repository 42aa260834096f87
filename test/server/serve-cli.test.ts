import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { signRequest } from '../../src/server/index.js'
import { readAwsResponse } from './support/aws-response.js'
import { createPrincipal, runCli, startServe, tempHome } from './support/cli.js'
import { rawRequest } from './support/raw-request.js'

const REGION = 'us-east-1'

function keystoreBytes(home: string): Buffer {
  return Buffer.concat(
    readdirSync(home)
      .filter((f) => f.startsWith('keystore.db'))
      .map((f) => readFileSync(join(home, f))),
  )
}

void describe('sealbox principals', () => {
  void test('create prints the access key once; ls shows no secret; rm removes; errors have exit codes', () => {
    const home = tempHome()
    const created = runCli(home, ['principals', 'create', 'alice'])
    assert.equal(created.status, 0, created.stderr)
    const alice = JSON.parse(created.stdout) as Record<string, string>
    assert.match(alice['AccessKeyId']!, /^AKIA[A-Z2-7]{16}$/)
    assert.match(alice['SecretAccessKey']!, /^[A-Za-z0-9+/]{40}$/)
    assert.equal(alice['Arn'], 'arn:aws:iam::000000000000:user/alice')
    assert.match(created.stderr, /shown only this once/)
    const other = runCli(home, ['principals', 'create', 'bob', '--account', '123456789012'])
    assert.equal(JSON.parse(other.stdout).Arn, 'arn:aws:iam::123456789012:user/bob')

    // sealed under the keystore's root key: the secret is nowhere in the SQLite files
    assert.equal(keystoreBytes(home).includes(alice['SecretAccessKey']!), false)

    const listed = runCli(home, ['principals', 'ls'])
    assert.equal(listed.status, 0)
    const names = (JSON.parse(listed.stdout).Principals as Array<Record<string, string>>).map(
      (p) => p['UserName'],
    )
    assert.deepEqual(names, ['alice', 'bob'])
    assert.ok(!listed.stdout.includes(alice['SecretAccessKey']!))
    assert.ok(!listed.stdout.includes('SecretAccessKey'))

    const duplicate = runCli(home, ['principals', 'create', 'alice'])
    assert.equal(duplicate.status, 6)
    assert.match(duplicate.stderr, /sealbox: error: a principal named 'alice' already exists/)
    const badName = runCli(home, ['principals', 'create', 'no spaces'])
    assert.equal(badName.status, 2)
    const badAccount = runCli(home, ['principals', 'create', 'carol', '--account', '12'])
    assert.equal(badAccount.status, 2)

    assert.equal(runCli(home, ['principals', 'rm', 'bob']).status, 0)
    const gone = runCli(home, ['principals', 'rm', 'bob'])
    assert.equal(gone.status, 3)
    assert.match(gone.stderr, /no principal named 'bob'/)
    assert.deepEqual(
      (JSON.parse(runCli(home, ['principals', 'ls']).stdout).Principals as unknown[]).length,
      1,
    )
  })

  void test('create with a chosen access key id takes the secret from stdin and signs with it', async () => {
    const home = tempHome()
    const secret = 'ci-secret-0123456789/+='
    const args = ['principals', 'create', 'ci', '--access-key-id', 'test']
    const created = runCli(home, args, {}, `${secret}\n`)
    assert.equal(created.status, 0, created.stderr)
    const ci = JSON.parse(created.stdout) as Record<string, string>
    assert.equal(ci['AccessKeyId'], 'test')
    assert.equal(ci['SecretAccessKey'], undefined, 'a secret the caller chose is not echoed')
    assert.ok(!created.stdout.includes(secret) && !created.stderr.includes(secret))
    assert.equal(keystoreBytes(home).includes(secret), false)

    const again = runCli(home, ['principals', 'create', 'ci2', '--access-key-id', 'test'], {}, 'x')
    assert.equal(again.status, 6)
    assert.match(again.stderr, /access key id 'test' already belongs to another principal/)
    const create3 = ['principals', 'create', 'ci3', '--access-key-id', 'k3']
    for (const empty of ['', '\n']) {
      const none = runCli(home, create3, {}, empty)
      assert.equal(none.status, 2)
      assert.match(none.stderr, /error: no secret access key on stdin for --access-key-id/)
      assert.match(none.stderr, /hint: pipe it in/)
    }
    const badSecret = runCli(home, create3, {}, 'has space\n')
    assert.equal(badSecret.status, 2)
    assert.match(badSecret.stderr, /the secret access key is not valid/)
    assert.ok(!badSecret.stderr.includes('has space'), 'a refused secret is not echoed')

    const serve = await startServe(home, ['--workers', '1'])
    try {
      const listKeys = (secretAccessKey: string) =>
        rawRequest({
          endpoint: serve.url,
          region: REGION,
          credentials: { accessKeyId: 'test', secretAccessKey },
          target: 'TrentService.ListKeys',
          body: '{}',
        })
      assert.equal((await listKeys(secret)).status, 200)
      const wrong = await listKeys(`${secret}x`)
      assert.equal(wrong.status, 400)
      assert.match(wrong.text, /InvalidSignatureException/)

      // removed and created again under the same id while the server runs: it sees both at once
      assert.equal(runCli(home, ['principals', 'rm', 'ci']).status, 0)
      assert.match((await listKeys(secret)).text, /UnrecognizedClientException/)
      const newSecret = 'ci-secret-rotated-9876543210'
      assert.equal(runCli(home, args, {}, newSecret).status, 0)
      assert.match((await listKeys(secret)).text, /InvalidSignatureException/)
      assert.equal((await listKeys(newSecret)).status, 200)
    } finally {
      await serve.stop()
    }
  })
})

void describe('sealbox serve', () => {
  void test('--no-auth warns at start-up and acts as the account root, or as --principal', async () => {
    const home = tempHome()
    const serve = await startServe(home, ['--no-auth', '--workers', '1'])
    try {
      assert.match(serve.stderr(), /sealbox: warning: --no-auth: signatures are not checked/)
      assert.match(serve.stderr(), /NO AUTHENTICATION/)
      const res = await rawRequest({
        endpoint: serve.url,
        region: REGION,
        target: 'TrentService.CreateKey',
        body: '{}',
      })
      const outcome = readAwsResponse(res)
      assert.ok(outcome.ok)
    } finally {
      assert.equal(await serve.stop(), 0)
    }
    const events = runCli(home, ['audit', 'ls', '--operation', 'CreateKey', '--output', 'json'])
    assert.equal(JSON.parse(events.stdout)[0].principal, 'arn:aws:iam::000000000000:root')

    const asBob = await startServe(home, [
      '--no-auth',
      '--principal',
      'arn:aws:iam::000000000000:user/bob',
      '--workers',
      '1',
    ])
    try {
      assert.match(asBob.stderr(), /acts as arn:aws:iam::000000000000:user\/bob/)
      readAwsResponse(
        await rawRequest({
          endpoint: asBob.url,
          region: REGION,
          target: 'TrentService.ListKeys',
          body: '{}',
        }),
      )
    } finally {
      await asBob.stop()
    }
    const listed = runCli(home, ['audit', 'ls', '--operation', 'ListKeys', '--output', 'json'])
    assert.equal(JSON.parse(listed.stdout)[0].principal, 'arn:aws:iam::000000000000:user/bob')

    const misuse = runCli(home, ['serve', '--principal', 'arn:aws:iam::000000000000:user/bob'])
    assert.equal(misuse.status, 2)
    assert.match(misuse.stderr, /--principal only applies with --no-auth/)
  })

  for (const workers of ['1', '2']) {
    void test(`SIGTERM with ${workers} worker(s): stops accepting, finishes the request in flight, exits 0`, async () => {
      const home = tempHome()
      const alice = createPrincipal(home, 'alice')
      const serve = await startServe(home, ['--workers', workers])
      const url = new URL(serve.url)
      const body = new TextEncoder().encode('{"NumberOfBytes":16}')
      const headers = signRequest(
        {
          method: 'POST',
          path: '/',
          query: '',
          headers: {
            Host: url.host,
            'Content-Type': 'application/x-amz-json-1.1',
            'X-Amz-Target': 'TrentService.GenerateRandom',
          },
          body,
        },
        {
          accessKeyId: alice.AccessKeyId,
          secretAccessKey: alice.SecretAccessKey,
          region: REGION,
          service: 'kms',
          time: new Date(),
        },
      )
      // A request in flight: headers and half the body sent before the signal, the rest after.
      const socket = connect(Number(url.port), '127.0.0.1')
      await new Promise<void>((r) => socket.once('connect', () => r()))
      let answer = ''
      socket.on('data', (c: Buffer) => (answer += c.toString()))
      const closed = new Promise<void>((r) => socket.once('close', () => r()))
      socket.write(
        `POST / HTTP/1.1\r\n${Object.entries({ ...headers, 'Content-Length': String(body.length) })
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n`,
      )
      socket.write(body.subarray(0, 8))
      await new Promise((r) => setTimeout(r, 300))
      const exit = serve.stop('SIGTERM')
      await new Promise((r) => setTimeout(r, 500))
      const refused = await new Promise<string>((r) => {
        const probe = connect(Number(url.port), '127.0.0.1')
        probe.once('connect', () => {
          probe.destroy()
          r('connected')
        })
        probe.once('error', (e: NodeJS.ErrnoException) => r(e.code ?? 'error'))
      })
      assert.equal(refused, 'ECONNREFUSED', 'no new connections once stopping')
      socket.write(body.subarray(8))
      await closed
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/)
      assert.match(answer, /\r\nconnection: close\r\n/i)
      assert.match(answer, /"Plaintext":"[A-Za-z0-9+/]{22}=="/)
      assert.equal(await exit, 0)
      assert.ok(!/error/i.test(serve.stderr()), serve.stderr())
    })
  }

  void test('TLS with --tls-cert and --tls-key', async (t) => {
    const home = tempHome()
    const cert = join(home, 'cert.pem')
    const key = join(home, 'key.pem')
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { encoding: 'utf8' },
    )
    if (made.status !== 0) {
      t.skip(`openssl could not make a test certificate: ${made.error?.message ?? made.stderr}`)
      return
    }
    const alice = createPrincipal(home, 'alice')
    const serve = await startServe(home, ['--workers', '1', '--tls-cert', cert, '--tls-key', key])
    try {
      assert.match(serve.url, /^https:\/\/127\.0\.0\.1:\d+$/)
      const res = await rawRequest({
        endpoint: serve.url,
        region: REGION,
        credentials: { accessKeyId: alice.AccessKeyId, secretAccessKey: alice.SecretAccessKey },
        target: 'TrentService.GenerateRandom',
        body: '{"NumberOfBytes":8}',
        ca: readFileSync(cert),
      })
      const outcome = readAwsResponse(res)
      assert.ok(outcome.ok)
    } finally {
      await serve.stop()
    }
    const onlyOne = runCli(home, ['serve', '--tls-cert', cert])
    assert.equal(onlyOne.status, 2)
  })

  void test('two workers share one keystore: nothing lost under concurrent requests', async () => {
    const home = tempHome()
    const alice = createPrincipal(home, 'alice')
    const serve = await startServe(home, ['--workers', '2'])
    const credentials = { accessKeyId: alice.AccessKeyId, secretAccessKey: alice.SecretAccessKey }
    const call = async (target: string, body: object) => {
      const res = await rawRequest({
        endpoint: serve.url,
        region: REGION,
        credentials,
        target: `TrentService.${target}`,
        body: JSON.stringify(body),
      })
      const outcome = readAwsResponse(res)
      assert.ok(outcome.ok, JSON.stringify(outcome))
      return { body: outcome.body, requestId: String(res.headers['x-amzn-requestid']) }
    }
    const requestIds: string[] = []
    try {
      const keys = await Promise.all(Array.from({ length: 20 }, () => call('CreateKey', {})))
      requestIds.push(...keys.map((k) => k.requestId))
      const arns = keys.map((k) => (k.body['KeyMetadata'] as { Arn: string }).Arn)
      const dataKeys = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          call('GenerateDataKey', {
            KeyId: arns[i % arns.length],
            KeySpec: 'AES_256',
            EncryptionContext: { n: String(i) },
          }),
        ),
      )
      requestIds.push(...dataKeys.map((d) => d.requestId))
      const decrypted = await Promise.all(
        dataKeys.map((d, i) =>
          call('Decrypt', {
            CiphertextBlob: d.body['CiphertextBlob'],
            EncryptionContext: { n: String(i) },
          }),
        ),
      )
      requestIds.push(...decrypted.map((d) => d.requestId))
      decrypted.forEach((d, i) => assert.equal(d.body['Plaintext'], dataKeys[i]!.body['Plaintext']))
      const listed = await call('ListKeys', { Limit: 1000 })
      const listedArns = new Set(
        (listed.body['Keys'] as Array<{ KeyArn: string }>).map((k) => k.KeyArn),
      )
      for (const arn of arns) assert.ok(listedArns.has(arn))
    } finally {
      assert.equal(await serve.stop(), 0)
    }
    const verify = runCli(home, ['audit', 'verify'])
    assert.equal(verify.status, 0, verify.stderr)
    const events = JSON.parse(runCli(home, ['audit', 'ls', '--output', 'json']).stdout) as Array<{
      requestId: string
      outcome: string
    }>
    const byId = new Map(events.map((e) => [e.requestId, e]))
    for (const id of requestIds)
      assert.equal(byId.get(id)?.outcome, 'ok', `request ${id} is audited`)
    assert.equal(
      new Set(events.map((e) => e.requestId)).size,
      events.length,
      'one event per request',
    )
  })

  void test('SEALBOX_KMS=aws: sealbox commands work against sealbox serve', async () => {
    const home = tempHome()
    const alice = createPrincipal(home, 'alice')
    const serve = await startServe(home, ['--workers', '1'])
    const client = tempHome()
    const env = {
      SEALBOX_KMS: 'aws',
      AWS_ENDPOINT_URL_KMS: serve.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: alice.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: alice.SecretAccessKey,
    }
    try {
      const created = runCli(
        client,
        [
          'kms',
          'create-key',
          '--description',
          'remote',
          '--query',
          'KeyMetadata.Arn',
          '--output',
          'text',
        ],
        env,
      )
      assert.equal(created.status, 0, created.stderr)
      const arn = created.stdout.trim()
      assert.match(arn, /^arn:aws:kms:us-east-1:000000000000:key\//)
      const plain = join(client, 'plain.txt')
      writeFileSync(plain, 'hello over the AWS KMS API\n')
      const enc = runCli(
        client,
        ['encrypt', plain, '--key-id', arn, '--context', 'purpose=test', '-o', `${plain}.sealed`],
        env,
      )
      assert.equal(enc.status, 0, enc.stderr)
      const dec = runCli(
        client,
        ['decrypt', `${plain}.sealed`, '--context', 'purpose=test', '-o', '-'],
        env,
      )
      assert.equal(dec.status, 0, dec.stderr)
      assert.equal(dec.stdout, 'hello over the AWS KMS API\n')
      // the flag form, and a wrong secret refused with the AWS error name
      const viaFlag = runCli(
        client,
        ['--kms', 'aws', '--kms-endpoint', serve.url, 'kms', 'list-keys'],
        {
          ...env,
          SEALBOX_KMS: 'local',
          AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
        },
      )
      assert.equal(viaFlag.status, 0, viaFlag.stderr)
      assert.ok(viaFlag.stdout.includes(arn))
      const wrong = runCli(client, ['kms', 'list-keys'], { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' })
      assert.equal(wrong.status, 5)
      assert.match(wrong.stderr, /InvalidSignatureException|signature we calculated does not match/)
    } finally {
      await serve.stop()
    }
    // the client side kept no keystore: everything happened in the server's
    assert.equal(readdirSync(client).includes('keystore.db'), false)
  })
})
