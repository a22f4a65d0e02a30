/** A JSON path for error messages: $.axes["workload.writesPerSec"][2]. */
export function jsonPath(parts: readonly (string | number)[]): string {
  let s = '$';
  for (const p of parts) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) s += `.${p}`;
    else s += `[${JSON.stringify(p)}]`;
  }
  return s;
}
