import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { MAIN, ok, sandbox, sealbox, type Sandbox } from './fixtures.js'

// Runs sealbox on a pseudo-terminal (python's pty module), typing `typed` at the first prompt.
const PTY = `
import json, os, pty, sys, select
argv, typed = json.loads(sys.argv[1]), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, sent = b'', False
while True:
    r, _, _ = select.select([fd], [], [], 10)
    if not r: break
    try: chunk = os.read(fd, 4096)
    except OSError: break
    if not chunk: break
    out += chunk
    if not sent and b'input hidden' in out:
        os.write(fd, typed.encode() + b'\\r'); sent = True
_, status = os.waitpid(pid, 0)
print(json.dumps({'out': out.decode('utf-8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
`

function onTerminal(box: Sandbox, args: string[], typed = ''): { out: string; code: number } {
  const r = spawnSync(
    'python3',
    ['-c', PTY, JSON.stringify([process.execPath, MAIN, ...args]), typed],
    { env: box.env, cwd: box.work, encoding: 'utf8' },
  )
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as { out: string; code: number }
}

void describe('secrets on a terminal', () => {
  let box: Sandbox
  let skip: string | undefined
  before(() => {
    if (spawnSync('python3', ['-c', 'import pty']).status !== 0)
      skip = 'python3 with pty is needed to drive a terminal'
    box = sandbox('local')
  })
  after(() => box.close())

  void test('put reads the secret from a terminal without echoing it', (t) => {
    if (skip !== undefined) return t.skip(skip)
    const r = onTerminal(box, ['secrets', 'put', 'tty/typed'], 's3cr3t-typed')
    assert.equal(r.code, 0, r.out)
    assert.match(r.out, /secret for tty\/typed \(input hidden\): /)
    assert.doesNotMatch(r.out, /s3cr3t-typed/)
  })

  void test('get shows text on a terminal but refuses binary; pack refuses a terminal', async (t) => {
    if (skip !== undefined) return t.skip(skip)
    assert.equal(
      ok(await sealbox(box, ['secrets', 'get', 'tty/typed'])).stdout.toString(),
      's3cr3t-typed',
    )
    const text = onTerminal(box, ['secrets', 'get', 'tty/typed'])
    assert.equal(text.code, 0)
    assert.match(text.out, /s3cr3t-typed/)
    ok(
      await sealbox(
        box,
        ['secrets', 'put', 'tty/bin'],
        Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff]),
      ),
    )
    const binary = onTerminal(box, ['secrets', 'get', 'tty/bin'])
    assert.equal(binary.code, 2)
    assert.match(binary.out, /not plain text; refusing to write it to a terminal/)
    assert.ok(!binary.out.includes(`${String.fromCharCode(0x1b)}[2J`))
    const pack = onTerminal(box, ['secrets', 'pack', 'tty/*', '-'])
    assert.equal(pack.code, 2)
    assert.match(pack.out, /refusing to write a sealed pack to a terminal/)
  })
})
