import type { Command } from 'commander'
import type { Runtime } from '../runtime/index.js'

export function register(_program: Command, _runtime: Runtime): void {}
