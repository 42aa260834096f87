export { AwsKms, type AwsKmsOptions } from './aws-kms.js'
export { fromAwsError } from './aws-error.js'
