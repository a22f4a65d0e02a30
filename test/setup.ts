// Every report migrate() makes in the suite goes through the invariant checker (src/engine/invariants.ts).
import { setInvariantChecks } from '../src/engine/invariants.js';
import '../src/traces/node-files.js'; // Node's trace file reading for `trace` workloads

setInvariantChecks(true);
