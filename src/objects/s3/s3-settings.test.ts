import assert from 'node:assert/strict'
import { test } from 'node:test'
import { s3Settings } from './s3-settings.js'

void test('endpoint from AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; none means AWS', () => {
  assert.equal(s3Settings({}).endpoint, undefined)
  assert.equal(s3Settings({ AWS_ENDPOINT_URL: 'http://a:1' }).endpoint, 'http://a:1')
  assert.equal(
    s3Settings({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2' }).endpoint,
    'http://b:2',
  )
})

void test('path style for IP addresses and localhost, or when forced', () => {
  const style = (env: NodeJS.ProcessEnv): boolean => s3Settings(env).forcePathStyle
  assert.equal(style({}), false)
  assert.equal(style({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }), true)
  assert.equal(style({ AWS_ENDPOINT_URL_S3: 'http://localhost:9000' }), true)
  assert.equal(style({ AWS_ENDPOINT_URL_S3: 'http://minio.localhost' }), true)
  assert.equal(style({ AWS_ENDPOINT_URL_S3: 'http://[::1]:9000' }), true)
  assert.equal(style({ AWS_ENDPOINT_URL_S3: 'https://s3.example.com' }), false)
  assert.equal(
    style({ AWS_ENDPOINT_URL_S3: 'https://s3.example.com', SEALBOX_S3_FORCE_PATH_STYLE: '1' }),
    true,
  )
})

void test('conditional writes: declared, on for AWS, unknown (probed) for other endpoints', () => {
  const cw = (env: NodeJS.ProcessEnv): boolean | undefined => s3Settings(env).conditionalWrites
  assert.equal(cw({}), true)
  assert.equal(cw({ AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com' }), true)
  assert.equal(cw({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' }), undefined)
  assert.equal(
    cw({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', SEALBOX_S3_CONDITIONAL_WRITES: '1' }),
    true,
  )
  assert.equal(cw({ SEALBOX_S3_CONDITIONAL_WRITES: '0' }), false)
})

void test('region: given, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
  assert.equal(s3Settings({ AWS_REGION: 'eu-west-1' }, 'us-west-2').region, 'us-west-2')
  assert.equal(s3Settings({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'x' }).region, 'eu-west-1')
  assert.equal(s3Settings({ AWS_DEFAULT_REGION: 'ap-south-1' }).region, 'ap-south-1')
})
