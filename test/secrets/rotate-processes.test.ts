import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { describe, test } from 'node:test'
import { mapConcurrent, type SecretStore } from '../../src/secrets/index.js'
import { MAIN, ok, sealbox, type Sandbox, type StoreKind, useSandbox } from './fixtures.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Starts `sealbox secrets rotate …`, counting the secrets it reports rotated. */
function startRotate(
  box: Sandbox,
  args: string[],
): {
  child: ChildProcess
  rotated: () => number
  stderr: () => string
  exit: Promise<number | null>
  when: (n: number) => Promise<void>
} {
  const child = spawn(process.execPath, [MAIN, 'secrets', 'rotate', ...args], {
    cwd: box.work,
    env: box.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let rotated = 0
  const waiters: Array<{ n: number; done: () => void }> = []
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    rotated = (stderr.match(/^sealbox: rotated /gm) ?? []).length
    for (const w of waiters.splice(0)) {
      if (rotated >= w.n) w.done()
      else waiters.push(w)
    }
  })
  child.stdout!.resume()
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  return {
    child,
    rotated: () => rotated,
    stderr: () => stderr,
    exit,
    when: (n) =>
      new Promise<void>((done, fail) => {
        if (rotated >= n) return done()
        waiters.push({ n, done })
        void exit.then(() => fail(new Error(`rotate ended after ${rotated} secrets:\n${stderr}`)))
      }),
  }
}

async function seed(secrets: SecretStore, folder: string, count: number): Promise<string[]> {
  const paths = Array.from({ length: count }, (_, i) => `${folder}/s${String(i).padStart(4, '0')}`)
  await mapConcurrent(paths, 16, (p) => secrets.put(p, enc.encode(`initial ${p}`)))
  return paths
}

for (const kind of ['local', 'moto', 's3rver'] as StoreKind[]) {
  void describe(`rotate across processes on ${kind}`, () => {
    let box: Sandbox
    let secrets: SecretStore
    let skip: string | undefined
    useSandbox(
      kind,
      async (b) => {
        box = b
        secrets = await b.secrets()
      },
      (why) => (skip = why),
    )

    void test('puts made while rotate runs in another process survive it', async (t) => {
      if (skip !== undefined) return t.skip(skip)
      if (!box.conditionalWrites) {
        return t.skip(
          `${kind} cannot refuse a write atomically: a put racing rotate on one secret may be overwritten (the documented fallback)`,
        )
      }
      const paths = await seed(secrets, 'fleet', 200)
      const newKey = (
        JSON.parse(ok(await sealbox(box, ['kms', 'create-key'])).stdout.toString()) as {
          KeyMetadata: { Arn: string }
        }
      ).KeyMetadata.Arn
      const rotate = startRotate(box, ['fleet/*', '--key-id', newKey])
      await rotate.when(1)
      // every 10th secret, across the whole range: some already rotated, some not yet
      const touched = paths.filter((_, i) => i % 10 === 3)
      await mapConcurrent(touched, 8, (p) => secrets.put(p, enc.encode(`during ${p}`)))
      assert.equal(
        rotate.child.exitCode,
        null,
        'the puts must overlap the rotation (make it bigger if this fails)',
      )
      assert.equal(await rotate.exit, 0, rotate.stderr())
      const seen = await mapConcurrent(paths, 16, async (p) =>
        dec.decode((await secrets.get(p)).value),
      )
      paths.forEach((p, i) =>
        assert.equal(seen[i], touched.includes(p) ? `during ${p}` : `initial ${p}`, p),
      )
    })

    void test('a rotate killed with SIGKILL midway leaves every secret readable; the next run finishes the job', async (t) => {
      if (skip !== undefined) return t.skip(skip)
      const paths = await seed(secrets, 'kill', 150)
      const newKey = (
        JSON.parse(ok(await sealbox(box, ['kms', 'create-key'])).stdout.toString()) as {
          KeyMetadata: { Arn: string }
        }
      ).KeyMetadata.Arn
      const first = startRotate(box, ['kill/*', '--key-id', newKey])
      await first.when(30)
      first.child.kill('SIGKILL')
      await first.exit
      const done = first.rotated()
      assert.ok(done < paths.length, `killed too late: ${done} rotated`)
      const { store, prefix } = await box.objects()
      assert.ok(
        await store.head(`${prefix}.sealbox/rotation.json`),
        'the journal stays for the next run',
      )
      const values = await mapConcurrent(paths, 16, async (p) =>
        dec.decode((await secrets.get(p)).value),
      )
      paths.forEach((p, i) => assert.equal(values[i], `initial ${p}`))
      const second = ok(await sealbox(box, ['secrets', 'rotate', 'kill/*', '--key-id', newKey]))
      const summary =
        /rotation resumed and finished: (\d+) rotated, (\d+) already fresh, 0 failed, of 150/.exec(
          second.stderr,
        )
      assert.ok(summary, second.stderr)
      // what the killed run finished is not rotated again (at most the one-second start window)
      assert.ok(Number(summary[2]) >= done - 16, `${summary[2]} fresh after ${done} rotated`)
      assert.equal(Number(summary[1]) + Number(summary[2]), 150)
      const listed = await secrets.list(['kill/*'])
      assert.equal(listed.length, 150)
      assert.ok(listed.every((s) => s.keyArns.length === 1 && s.keyArns[0] === newKey))
      assert.equal(await store.head(`${prefix}.sealbox/rotation.json`), undefined)
      const again = await mapConcurrent(paths, 16, async (p) =>
        dec.decode((await secrets.get(p)).value),
      )
      paths.forEach((p, i) => assert.equal(again[i], `initial ${p}`))
    })
  })
}
