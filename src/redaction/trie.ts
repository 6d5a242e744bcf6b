// A regex source matching any of `words`, factored by common prefix (`c(?:GFz|HJp)…`): V8 then
// dispatches on one char per level instead of trying every alternative at every position.
const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

interface Node {
  next: Map<string, Node>;
  end: boolean;
}

function source(n: Node): string {
  const alts = [...n.next.entries()].map(([c, child]) => esc(c) + source(child));
  if (alts.length === 0) return '';
  const body = alts.length === 1 ? (alts[0] as string) : `(?:${alts.join('|')})`;
  // a word may end here: the rest is optional (longest first, so the whole word is taken)
  return n.end ? `(?:${body})?` : body;
}

export function trieSource(words: Iterable<string>, ignoreCase = false): string {
  const root: Node = { next: new Map(), end: false };
  for (const w of words) {
    let n = root;
    for (const ch of ignoreCase ? w.toLowerCase() : w) {
      let c = n.next.get(ch);
      if (!c) n.next.set(ch, (c = { next: new Map(), end: false }));
      n = c;
    }
    n.end = true;
  }
  const s = source(root);
  return s === '' ? '(?!)' : s;
}
