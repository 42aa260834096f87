import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { MAIN, ok, sealbox, shell, type Sandbox, type StoreKind, useSandbox } from './fixtures.js'

const VALUES: Record<string, string> = {
  'app/db-password': `it's "quoted" \\ and $HOME`,
  'app/db-url': 'postgres://u@h/db',
  'app/multi-line': 'line one\nline two\n',
  'app/cr': 'a\r\nb',
  'app/plain': 'x y # z ${NOT_EXPANDED}',
  'web/other': 'other',
}

for (const kind of ['local', 's3rver'] as StoreKind[]) {
  void describe(`sealbox secrets exec and export on ${kind}`, () => {
    let box: Sandbox
    useSandbox(kind, async (b) => {
      box = b
      const secrets = await b.secrets()
      for (const [path, value] of Object.entries(VALUES))
        await secrets.put(path, new TextEncoder().encode(value))
    })

    void test('exec: secrets as variables named from their paths, exit code passed through', async () => {
      const r = await sealbox(box, [
        'secrets',
        'exec',
        '--only',
        'app/*',
        '--',
        'sh',
        '-c',
        'printf %s "$APP_DB_PASSWORD|$APP_MULTI_LINE|${WEB_OTHER-unset}"; exit 7',
      ])
      assert.equal(r.code, 7, r.stderr)
      assert.equal(
        r.stdout.toString(),
        `${VALUES['app/db-password']}|${VALUES['app/multi-line']}|unset`,
      )
      const stripped = ok(
        await sealbox(box, [
          'secrets',
          'exec',
          '--only',
          'app/db-*',
          '--strip-prefix',
          'app/',
          '--',
          'sh',
          '-c',
          'printf %s "$DB_URL"',
        ]),
      )
      assert.equal(stripped.stdout.toString(), VALUES['app/db-url'])
      const pristine = ok(
        await sealbox(box, [
          'secrets',
          'exec',
          '--only',
          'web/*',
          '--pristine',
          '--',
          '/usr/bin/env',
        ]),
      )
      assert.equal(pristine.stdout.toString(), 'WEB_OTHER=other\n')
    })

    void test('exec: two paths with one name are refused and nothing runs', async () => {
      const secrets = await box.secrets()
      await secrets.put('clash/db-password', new TextEncoder().encode('1'))
      await secrets.put('clash/db_password', new TextEncoder().encode('2'))
      const r = await sealbox(box, [
        'secrets',
        'exec',
        '--only',
        'clash/*',
        '--',
        'sh',
        '-c',
        'echo ran',
      ])
      assert.equal(r.code, 2)
      assert.equal(r.stdout.length, 0)
      assert.match(
        r.stderr,
        /'clash\/db-password' and 'clash\/db_password' both map to the environment variable CLASH_DB_PASSWORD/,
      )
      const missing = await sealbox(box, [
        'secrets',
        'exec',
        '--only',
        'web/*',
        '--',
        'no-such-command-here',
      ])
      assert.equal(missing.code, 127)
    })

    void test('exec: an --only pattern that matches no secret is refused and nothing runs', async () => {
      const r = await sealbox(box, [
        'secrets',
        'exec',
        '--only',
        'app/*',
        '--only',
        'nomatch/**',
        '--',
        'sh',
        '-c',
        'echo ran > ran.txt',
      ])
      assert.equal(r.code, 3, r.stderr)
      assert.match(r.stderr, /^sealbox: error: no secret in \S+ matches 'nomatch\/\*\*'/m)
      assert.equal(existsSync(join(box.work, 'ran.txt')), false)
    })

    void test('export: a pattern that matches no secret fails and writes nothing', async () => {
      const r = await sealbox(box, ['secrets', 'export', 'app/*', 'typo/*', '-o', 'out.env'])
      assert.equal(r.code, 3, r.stderr)
      assert.match(r.stderr, /no secret in \S+ matches 'typo\/\*'; nothing was exported/)
      assert.equal(existsSync(join(box.work, 'out.env')), false)
    })

    void test('export dotenv reads back exactly with python-dotenv; json; shell through eval', async (t) => {
      const dotenv = ok(
        await sealbox(box, ['secrets', 'export', 'app/*', 'web/*', '--format', 'dotenv']),
      ).stdout.toString()
      assert.match(dotenv, /^APP_DB_URL='postgres:\/\/u@h\/db'$/m)
      const asJson = JSON.parse(
        ok(
          await sealbox(box, [
            'secrets',
            'export',
            '--only',
            'app/*',
            '--only',
            'web/*',
            '--format',
            'json',
          ]),
        ).stdout.toString(),
      ) as Record<string, string>
      const expected = Object.fromEntries(
        Object.entries(VALUES).map(([p, v]) => [p.toUpperCase().replace(/[^A-Z0-9]/g, '_'), v]),
      )
      assert.deepEqual(asJson, expected)
      const sh = ok(
        await shell(
          box,
          `eval "$(sealbox secrets export 'app/*' --format shell)"; printf %s "$APP_DB_PASSWORD"`,
        ),
      )
      assert.equal(sh.stdout.toString(), VALUES['app/db-password'])
      ok(await sealbox(box, ['secrets', 'export', 'app/*', 'web/*', '-o', 'app.env']))
      assert.equal(statSync(join(box.work, 'app.env')).mode & 0o777, 0o600)
      assert.equal(readFileSync(join(box.work, 'app.env'), 'utf8'), dotenv)
      const python = spawnSync('python3', ['-c', 'import dotenv'])
      if (python.status !== 0)
        return t.skip('python-dotenv is not installed: the dotenv reader check needs it')
      const read = spawnSync(
        'python3',
        [
          '-c',
          'import json, sys, dotenv; print(json.dumps(dict(dotenv.dotenv_values(sys.argv[1], interpolate=False))))',
          join(box.work, 'app.env'),
        ],
        { encoding: 'utf8' },
      )
      assert.equal(read.status, 0, read.stderr)
      assert.deepEqual(JSON.parse(read.stdout), expected)
    })

    void test(
      'exec forwards signals to the command and reports how it ended',
      { skip: kind !== 'local' && 'store-independent', timeout: 30_000 },
      async () => {
        const child = spawn(
          process.execPath,
          [
            MAIN,
            'secrets',
            'exec',
            '--only',
            'web/*',
            '--',
            'sh',
            '-c',
            'trap "echo got-term; exit 42" TERM; echo ready $$; while :; do sleep 0.05; done',
          ],
          { cwd: box.work, env: box.env, stdio: ['ignore', 'pipe', 'pipe'] },
        )
        let out = ''
        let err = ''
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
        await new Promise<void>((ready, fail) => {
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            out += d
            if (out.includes('ready')) ready()
          })
          child.once('exit', (c) =>
            fail(new Error(`exec ended (${c}) before the command was ready: ${err}`)),
          )
        })
        const shell = Number(/ready (\d+)/.exec(out)?.[1])
        try {
          // at once: the signal must reach the command even this early
          child.kill('SIGTERM')
          const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)))
          assert.equal(code, 42, err)
          assert.match(out, /got-term/)
        } finally {
          // if it was orphaned, it would hold the pipes open and keep the run from ending
          try {
            process.kill(shell, 'SIGKILL')
          } catch {
            // gone, as it should be
          }
        }
      },
    )
  })
}
