export { LivemigError } from './livemig-error.js';
export { InvalidOptionError } from './invalid-option-error.js';
export { CapacityError } from './capacity-error.js';
export { ExperimentError } from './experiment-error.js';
export { SweepError } from './sweep-error.js';
export { QueueError } from './queue-error.js';
export { TraceFormatError } from './trace-format-error.js';
