/** Registers Node's trace file reading for the engine (see files.ts); imported by the Node entry points. */
import { readFileSync } from 'node:fs';
import { setTraceFiles } from './files.js';
import { locateTrace } from './locate.js';
import { openTrace } from './open.js';

setTraceFiles({ locate: locateTrace, open: openTrace, readText: (path) => readFileSync(path, 'utf8') });
