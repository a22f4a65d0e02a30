/**
 * A --policies list (compare, estimate): policies separated by ';', or by ',' when none has parameters after
 * a ':' (a controller's or a management layer's, whose commas are their own); commas inside braces never split.
 */
export function splitPolicies(text: string): string[] {
  const sep = text.includes(';') || text.includes(':') ? ';' : ',';
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out.map((p) => p.trim()).filter((p) => p !== '');
}
