export { type Clock, systemClock, ManualClock, offsetClock, DAY_MS } from './clock.js'
