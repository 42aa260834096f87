import assert from 'node:assert/strict'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { FsObjectStore } from '../../src/objects/fs/index.js'
import { listAll, objectStoreConformance } from './conformance-suite.js'

// tmpfs when there is one: fsync costs milliseconds on disk, and durability is not under test here
const root = mkdtempSync(
  join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sealbox-objects-fs-'),
)
after(() => rmSync(root, { recursive: true, force: true }))

objectStoreConformance({
  name: 'local folder',
  open: () => Promise.resolve(new FsObjectStore({ root: join(root, 'conformance') })),
  childStore: () => ({ kind: 'fs', root: join(root, 'conformance') }),
})

void describe('local folder store specifics', () => {
  void test('files are 0600, folders 0700, nothing but objects is left or listed', async () => {
    const dir = join(root, 'modes')
    const store = new FsObjectStore({ root: dir })
    await store.put('a/b/c', Buffer.from('x'), { metadata: { m: '1' } })
    assert.equal(statSync(join(dir, 'a/b/c')).mode & 0o777, 0o600)
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o700)
    assert.equal(statSync(join(dir, 'a/b')).mode & 0o777, 0o700)
    // a stale lock and a temp file of a crashed writer: never listed
    writeFileSync(join(dir, 'a/b/.~lock.zz'), '{}')
    writeFileSync(join(dir, 'a/b/.~tmp.123'), 'partial')
    assert.deepEqual((await listAll(store, {})).keys, ['a/b/c'])
    assert.deepEqual((await listAll(store, { prefix: 'a/b/', delimiter: '/' })).keys, ['a/b/c'])
    assert.deepEqual(readdirSync(join(dir, 'a/b')).sort(), [
      '.~lock.zz',
      '.~meta.c',
      '.~tmp.123',
      'c',
    ])
  })

  void test('the etag changes on every write, even of the same bytes, and is the same in a new instance', async () => {
    const dir = join(root, 'etags')
    const store = new FsObjectStore({ root: dir })
    const seen = new Set<string>()
    for (let i = 0; i < 20; i++) seen.add((await store.put('same', Buffer.from('same'))).etag)
    assert.equal(seen.size, 20)
    const last = [...seen].pop()
    assert.equal((await new FsObjectStore({ root: dir }).head('same'))!.etag, last)
  })

  void test('metadata of an older version is not reported for a newer one', async () => {
    const store = new FsObjectStore({ root: join(root, 'meta') })
    await store.put('k', Buffer.from('1'), { metadata: { v: '1' } })
    await store.put('k', Buffer.from('2'))
    assert.equal((await store.head('k'))!.metadata, undefined)
  })

  void test('a dead process’s lock is broken; a failed write leaves no file', async () => {
    const dir = join(root, 'locks')
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, '.~lock.k'),
      JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname(), token: 't' }),
    )
    const store = new FsObjectStore({ root: dir })
    await store.put('k', Buffer.from('after a crash'))
    assert.deepEqual(readdirSync(dir).sort(), ['k'])
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('part')
      throw new Error('source failed')
    }
    await assert.rejects(store.put('k', failing()), /source failed/)
    assert.deepEqual(readdirSync(dir).sort(), ['k'])
    assert.equal(statSync(join(dir, 'k')).size, 'after a crash'.length)
  })

  void test('an object and a folder of the same name conflict; delete prunes empty folders', async () => {
    const dir = join(root, 'conflict')
    const store = new FsObjectStore({ root: dir })
    await store.put('a', Buffer.from('1'))
    await assert.rejects(store.put('a/b', Buffer.from('2')), { code: 'KeyConflict' })
    await store.put('x/y/z', Buffer.from('3'))
    await assert.rejects(store.put('x/y', Buffer.from('4')), { code: 'KeyConflict' })
    await store.delete('x/y/z')
    assert.deepEqual(readdirSync(dir).sort(), ['a'])
  })

  void test('an aborted put removes its temp file', async () => {
    const dir = join(root, 'aborted')
    const store = new FsObjectStore({ root: dir })
    const controller = new AbortController()
    async function* body(): AsyncGenerator<Uint8Array> {
      yield Buffer.alloc(100_000, 1)
      controller.abort()
      await new Promise<never>(() => undefined)
    }
    await assert.rejects(store.put('a/b', body(), { signal: controller.signal }), {
      code: 'Interrupted',
    })
    assert.deepEqual(readdirSync(join(dir, 'a')), [])
  })

  void test('as a bucket, a missing root is BucketNotFound for reads; a put creates it', async () => {
    const dir = join(root, 'bucket')
    const store = new FsObjectStore({ root: dir, location: 'local://bucket/', bucket: true })
    const missing = {
      code: 'BucketNotFound',
      message: /the bucket of local:\/\/bucket\/.* does not exist/,
    }
    await assert.rejects(listAll(store, {}), missing)
    await assert.rejects(listAll(store, { prefix: 'p/' }), missing)
    await assert.rejects(store.get('p/x'), missing)
    await assert.rejects(store.delete('p/x'), missing)
    assert.equal(await store.head('p/x'), undefined)
    assert.equal(existsSync(dir), false)
    await store.put('p/x', Buffer.from('1'))
    await store.delete('p/x')
    assert.deepEqual(await listAll(store, {}), { keys: [], prefixes: [], pages: 1 })
    await assert.rejects(store.get('p/x'), { code: 'ObjectNotFound' })
  })

  void test('as a bucket, a listing checks for the bucket only when it finds nothing', async () => {
    const file = join(root, 'bucket-file')
    writeFileSync(file, 'not a folder')
    const notFolder = new FsObjectStore({ root: file, location: 'local://f/', bucket: true })
    await assert.rejects(listAll(notFolder, {}), { code: 'BucketNotFound' })
    const dir = join(root, 'bucket-full')
    const store = new FsObjectStore({ root: dir, location: 'local://full/', bucket: true })
    for (const key of ['a', 'b', 'p/c']) await store.put(key, Buffer.from(key))
    assert.deepEqual(await listAll(store, { pageSize: 3 }), {
      keys: ['a', 'b', 'p/c'],
      prefixes: [],
      pages: 1,
    })
    assert.deepEqual(await listAll(store, { prefix: 'q/' }), { keys: [], prefixes: [], pages: 1 })
    rmSync(dir, { recursive: true })
    await assert.rejects(listAll(store, { prefix: 'p/' }), { code: 'BucketNotFound' })
  })

  void test('a missing root is an empty store', async () => {
    const store = new FsObjectStore({ root: join(root, 'never') })
    assert.deepEqual(await listAll(store, { prefix: 'p/' }), { keys: [], prefixes: [], pages: 1 })
    assert.equal(await store.head('p/x'), undefined)
  })
})
