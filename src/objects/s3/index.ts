export {
  S3ObjectStore,
  PART_SIZE,
  QUEUE_SIZE,
  type S3ObjectStoreOptions,
} from './s3-object-store.js'
export { s3Settings, type S3Settings } from './s3-settings.js'
