/**
 * Extra masks for log triage (taskConfig `masks: [{ pattern, name }]`): each match is mined as
 * `<name>`, after redaction and before the template miner.
 *
 * User patterns run on every line in-process, so they are bounded (200 chars, checked in
 * src/contracts/task-config.ts) and refused when they could backtrack catastrophically. The check
 * is structural, needs no timing and errs on the side of refusing: a quantified group that holds a
 * quantifier or an alternation (`(a+)+`, `(a|ab)*`), back-references, and lookbehind.
 */

export interface ExtraMask {
  pattern: string;
  name: string;
}

/** Why `pattern` is refused (does not compile, or may backtrack catastrophically), or null. */
export function regexRisk(pattern: string): string | null {
  try {
    new RegExp(pattern, 'g');
  } catch (e) {
    return `pattern does not compile: ${(e as Error).message}`;
  }
  if (new RegExp(`^(?:${pattern})$`).test('')) return 'pattern must not match the empty string';
  if (/\\[1-9]|\\k</.test(pattern)) return 'pattern must not use back-references';
  if (/\(\?<[=!]/.test(pattern)) return 'pattern must not use lookbehind';
  // per open group: does it hold a quantifier or `|`?
  const risky: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') risky.push(false);
    else if (c === '|' && risky.length > 0) risky[risky.length - 1] = true;
    else if (c === ')') {
      const inner = risky.pop() ?? false;
      const next = pattern[i + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (inner && quantified && next !== '?') return 'pattern may backtrack catastrophically: a repeated group holds a quantifier or an alternation';
      // the group's own quantifier makes its parent risky when repeated
      if ((inner || quantified) && risky.length > 0) risky[risky.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{') && risky.length > 0) risky[risky.length - 1] = true;
  }
  return null;
}

/** One function applying the masks in order, or null when there are none. */
export function compileMasks(masks: readonly ExtraMask[] | undefined): ((line: string) => string) | null {
  if (masks === undefined || masks.length === 0) return null;
  const compiled = masks.map((m) => ({ re: new RegExp(m.pattern, 'g'), text: `<${m.name}>` }));
  return (line) => {
    let out = line;
    for (const { re, text } of compiled) out = out.replace(re, () => text);
    return out;
  };
}
