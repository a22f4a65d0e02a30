/** Registers Node's trace file reading for the engine (see files.ts); imported by the Node entry points. */
import { setTraceFiles } from './files.js';
import { locateTrace } from './locate.js';
import { openTrace } from './open.js';

setTraceFiles({ locate: locateTrace, open: openTrace });
