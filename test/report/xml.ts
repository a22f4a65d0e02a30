/**
 * A small XML well-formedness check for generated SVG: every tag closes in order, attributes are quoted,
 * no stray '<' or '&' in text. Enough to catch broken output; the browser test also parses the files.
 */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<\?[^?]*\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(text); m !== null; m = tag.exec(text)) {
    checkText(text.slice(last, m.index), problems);
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (name === undefined) continue; // declaration or comment
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (!selfClose) stack.push(name);
    if (stack.length === 0 && text.slice(last).trim() !== '' && !close && selfClose) problems.push('content after the root element');
  }
  checkText(text.slice(last), problems);
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  return problems;
}

function checkText(t: string, problems: string[]): void {
  if (t.includes('<')) problems.push(`malformed tag near: ${t.slice(t.indexOf('<'), t.indexOf('<') + 40)}`);
  const amp = /&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/.exec(t);
  if (amp) problems.push(`bare & near: ${t.slice(amp.index, amp.index + 20)}`);
}
