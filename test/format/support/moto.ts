import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'

/** moto_server's KMS on a free loopback port, or undefined when moto_server is not installed. */
export async function startMoto(): Promise<
  { endpoint: string; stop: () => Promise<void> } | undefined
> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) return undefined
  const port = await new Promise<number>((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  const endpoint = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    const up = await fetch(`${endpoint}/moto-api/`).then(
      () => true,
      () => false,
    )
    if (up) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}
