/**
 * The QEMU releases whose pre-copy rules livemig models (the `qemuVersion` option); their rule flags are the
 * release table in src/policies/precopy/qemu-releases.ts. Releases after 10.1 were not read.
 */
/** Every modelled release, oldest first; the last is the default. */
export const QEMU_VERSIONS = ['6.2', '7.2', '8.0', '8.1', '8.2', '9.0', '9.1', '9.2', '10.0', '10.1'] as const;
export type QemuVersion = (typeof QEMU_VERSIONS)[number];
/** The default: the newest modelled release. */
export const DEFAULT_QEMU_VERSION: QemuVersion = '10.1';
