export { toWire, fromWire } from './aws-shape.js'
