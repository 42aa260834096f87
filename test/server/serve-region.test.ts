import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startServe, tempHome } from './support/cli.js'

// --region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1; the banner names it.
test('sealbox serve picks its one region from --region, AWS_REGION, AWS_DEFAULT_REGION, us-east-1', async () => {
  const cases: Array<[string[], Record<string, string>, string]> = [
    [
      ['--region', 'eu-west-1'],
      { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'ap-south-1' },
      'eu-west-1',
    ],
    [[], { AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'ap-south-1' }, 'eu-north-1'],
    [[], { AWS_DEFAULT_REGION: 'ap-south-1' }, 'ap-south-1'],
    [[], {}, 'us-east-1'],
  ]
  for (const [args, env, region] of cases) {
    const serve = await startServe(tempHome(), ['--workers', '1', ...args], env)
    assert.equal(await serve.stop(), 0)
    assert.match(serve.stderr(), new RegExp(`\\(region ${region},`), JSON.stringify({ args, env }))
  }
})
