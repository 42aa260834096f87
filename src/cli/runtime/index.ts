export { Runtime } from './runtime.js'
export type { Settings, GlobalFlags } from './config.js'
