import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isSealboxError } from '../errors/index.js'
import { dotenvValue, envValue, formatEnv, shellQuote } from './env-format.js'

void describe('dotenv quoting', () => {
  const table: Array<[string, string, boolean]> = [
    ['plain', `'plain'`, true],
    ['has space # and $HOME ${X}', `'has space # and $HOME \${X}'`, true],
    ['two\nlines', `'two\nlines'`, true],
    ["it's", `"it's"`, true],
    ['it\'s "quoted"', `"it's \\"quoted\\""`, false],
    ['back\\slash', `"back\\\\slash"`, false],
    ['cr\r\nlf', `"cr\\r\\nlf"`, true],
    ["cr\r'", `"cr\\r'"`, true],
    ['', `''`, true],
  ]
  for (const [value, text, portable] of table) {
    void test(JSON.stringify(value), () => assert.deepEqual(dotenvValue(value), { text, portable }))
  }

  void test('formats: dotenv lines, shell exports, one json object', () => {
    const entries: Array<[string, string]> = [
      ['A', "x'y"],
      ['B', 'back\\'],
    ]
    const warned: string[] = []
    assert.equal(
      formatEnv(entries, 'dotenv', (n) => warned.push(n)),
      `A="x'y"\nB="back\\\\"\n`,
    )
    assert.deepEqual(warned, ['B'])
    assert.equal(formatEnv(entries, 'shell'), `export A='x'\\''y'\nexport B='back\\'\n`)
    assert.deepEqual(JSON.parse(formatEnv(entries, 'json')), { A: "x'y", B: 'back\\' })
  })

  void test('shell quoting', () => {
    assert.equal(shellQuote(''), `''`)
    assert.equal(shellQuote("a'b"), `'a'\\''b'`)
  })
})

void describe('environment values', () => {
  void test('UTF-8 text passes', () => {
    assert.equal(envValue('p', new TextEncoder().encode('héllo\n')), 'héllo\n')
  })
  void test('invalid UTF-8 and NUL are refused, naming the secret and not its value', () => {
    for (const bytes of [Uint8Array.of(0xff, 0xfe), Uint8Array.of(0x61, 0, 0x62)]) {
      assert.throws(
        () => envValue('app/cert.der', bytes),
        (e) =>
          isSealboxError(e, 'UsageError') &&
          e.message.includes('app/cert.der') &&
          e.hint !== undefined,
      )
    }
  })
})
