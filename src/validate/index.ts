export { loadCase, caseOptions, LOOPBACK_BYTES_PER_SEC, type ValidationCase, type MappingOptions, type CaseObserved } from './cases.js';
export { loadLogCase } from './user-log.js';
export { parseQmpLog, observeLog, QmpLogError, type QmpReply, type LogObservation } from './qmp-log.js';
export { validateCase, summarize, median, type CaseResult, type ValidationSummary } from './compare.js';
export { formatValidation } from './format.js';
