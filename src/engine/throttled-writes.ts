/**
 * The guest under a throttle (the `throttledWriteFraction` option): the share of its full-speed page writes a
 * vCPU achieves while throttled to p (0 to 1). The engine's vCPUs write in proportion to the CPU time their
 * duty cycle gives them, i.e. (1 − p) of full speed: the ideal, and the default. Real hosts lose more (timer
 * wake-ups, cache refill; QEMU 7.2 under TCG, ../shared/validation/qemu-7.2/: 1–28 % below (1 − p) as p grows),
 * so a user who measured their guest can feed that in:
 * - 'ideal': (1 − p).
 * - 'table:P=F,...': the fraction F of full speed measured at throttle P % (e.g. 'table:20=0.79,40=0.55');
 *   between and beyond the listed points the ratio F / (1 − p) is interpolated linearly and held at the ends
 *   (1 at p = 0 unless listed).
 * - 'sleep-tax:C': each throttle sleep of s ms also costs C·s ms of the run slice after it (the guest catching
 *   up on timer ticks after the wake-up): F = max(0, (1 − p) − C·p). [REC] our named model, one parameter.
 */
export { THROTTLE_MODELS, THROTTLE_PATTERN, THROTTLE_SYNTAX, parseThrottledWriteFraction, type ThrottledWriteFraction } from '../model/guest-model.js';
