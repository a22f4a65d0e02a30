// Every report migrate() makes in the suite goes through the invariant checker (src/engine/invariants.ts).
import { setInvariantChecks } from '../src/engine/invariants.js';

setInvariantChecks(true);
