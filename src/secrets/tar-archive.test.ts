import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import tar from 'tar-stream'
import { isSealboxError } from '../errors/index.js'
import { checkEntryName, packEntries, tarEntries, type PackEntry } from './tar-archive.js'

const enc = new TextEncoder()

async function* entries(n: number, size = 100): AsyncGenerator<PackEntry> {
  for (let i = 0; i < n; i++) {
    yield {
      path: `app/s${i}`,
      version: 1,
      modified: new Date(1_700_000_000_000),
      value: new Uint8Array(size).fill(i % 251),
    }
  }
}

async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const c of source) chunks.push(c)
  return Buffer.concat(chunks)
}

void describe('tar archive of secrets', () => {
  void test('round trip through packEntries and tarEntries', async () => {
    const tarBytes = await bytesOf(packEntries(entries(50)))
    const seen: Array<[string, number, number]> = []
    for await (const entry of tarEntries([tarBytes])) {
      const body = await bytesOf(entry.body)
      seen.push([entry.path, body.length, body[0]!])
      assert.equal(entry.mode, 0o400)
    }
    assert.equal(seen.length, 50)
    assert.deepEqual(seen[7], ['app/s7', 100, 7])
  })

  void test('system tar reads it: names, modes, owner root', async (t) => {
    if (spawnSync('tar', ['--version']).status !== 0) return t.skip('no tar on this machine')
    const dir = mkdtempSync(join(tmpdir(), 'sealbox-tar-'))
    const long = `deep/${'x'.repeat(120)}/${'y'.repeat(120)}/secret`
    async function* two(): AsyncGenerator<PackEntry> {
      yield {
        path: 'app/db-password',
        version: 3,
        modified: new Date(),
        value: enc.encode('hunter2'),
      }
      yield { path: long, version: 1, modified: new Date(), value: enc.encode('long name') }
    }
    writeFileSync(join(dir, 'p.tar'), await bytesOf(packEntries(two())))
    const list = spawnSync('tar', ['-tvf', join(dir, 'p.tar')], { encoding: 'utf8' })
    assert.equal(list.status, 0, list.stderr)
    assert.match(list.stdout, /^-r-------- root\/root\s+7 .* app\/db-password$/m)
    const x = spawnSync('tar', ['-xf', 'p.tar'], { cwd: dir, encoding: 'utf8' })
    assert.equal(x.status, 0, x.stderr)
    assert.equal(readFileSync(join(dir, 'app/db-password'), 'utf8'), 'hunter2')
    assert.equal(readFileSync(join(dir, long), 'utf8'), 'long name')
    assert.equal(statSync(join(dir, 'app/db-password')).mode & 0o777, 0o400)
  })

  void test('the archive is produced as it is read: a slow reader holds the producer back', async () => {
    let produced = 0
    async function* counted(): AsyncGenerator<PackEntry> {
      for await (const e of entries(10_000, 4096)) {
        produced++
        yield e
      }
    }
    let read = 0
    for await (const chunk of packEntries(counted())) {
      read += chunk.length
      if (read > 1_000_000) break
    }
    // about 1 MB read of 4 KiB entries: the producer ran at most a buffer's worth ahead
    assert.ok(produced < 400, `produced ${produced} entries for ${read} bytes read`)
  })

  void test('hostile entry names and special entries are refused', async () => {
    for (const name of ['/etc/passwd', '../x', 'a/../../x', 'a\\b', '.']) {
      assert.throws(
        () => checkEntryName(name),
        (e) => isSealboxError(e, 'UsageError'),
        name,
      )
    }
    assert.equal(checkEntryName('./a//b'), 'a/b')
    const pack = tar.pack()
    pack.entry({ name: 'link', type: 'symlink', linkname: '/etc/passwd' })
    pack.finalize()
    await assert.rejects(
      (async () => {
        for await (const entry of tarEntries(pack as AsyncIterable<Uint8Array>))
          await bytesOf(entry.body)
      })(),
      (e) => isSealboxError(e, 'UsageError') && /symlink/.test(e.message),
    )
  })

  void test('a name given twice, or as a file and a folder, is refused before its body', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['a/b', './a/b'], /the pack holds 'a\/b' twice/],
      [['a/b/c', 'a/b'], /the pack holds 'a\/b' both as a file and as a folder of other files/],
      [['a/b', 'a/b/c'], /the pack holds 'a\/b\/c' inside 'a\/b', which is a file/],
    ]
    for (const [names, message] of cases) {
      const pack = tar.pack()
      for (const name of names) pack.entry({ name }, name)
      pack.finalize()
      const seen: string[] = []
      await assert.rejects(
        (async () => {
          for await (const entry of tarEntries(pack as AsyncIterable<Uint8Array>)) {
            seen.push(entry.path)
            await bytesOf(entry.body)
          }
        })(),
        (e) => isSealboxError(e, 'UsageError') && message.test(e.message),
      )
      assert.deepEqual(seen, [checkEntryName(names[0]!)])
    }
    // names that only share a beginning are different files
    const pack = tar.pack()
    for (const name of ['a/b', 'a/bc', 'ab', 'a/c/d']) pack.entry({ name }, name)
    pack.finalize()
    const seen: string[] = []
    for await (const entry of tarEntries(pack as AsyncIterable<Uint8Array>)) {
      seen.push(entry.path)
      await bytesOf(entry.body)
    }
    assert.deepEqual(seen, ['a/b', 'a/bc', 'ab', 'a/c/d'])
  })

  void test('a truncated tar is an error, not a short list', async () => {
    const tarBytes = await bytesOf(packEntries(entries(3, 2000)))
    await assert.rejects(async () => {
      for await (const entry of tarEntries([tarBytes.subarray(0, 2500)])) await bytesOf(entry.body)
    })
  })
})
