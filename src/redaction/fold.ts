// Layer 4: Unicode look-alikes. Rules match ASCII key names, so a key written with a zero-width
// space, a full-width `＝`, Cyrillic `а` or a JSON `\u0077` escape would slip through. Lines holding
// such characters are matched on a folded copy (zero-width removed, NFKC for compatibility forms,
// Cyrillic/Greek look-alikes to Latin, `\uXXXX` decoded); each folded char remembers the span of
// the original it came from, so the edits found on the copy replace the ORIGINAL text and the
// rest of the line (Russian prose, say) is emitted unchanged.

/** Chars whose presence sends a line to the folded match; the tokenizer flags the same set. */
export const FOLD_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00aa, 0x00aa], [0x00ad, 0x00ad], [0x00b2, 0x00b3], [0x00b9, 0x00ba], [0x017f, 0x017f],
  [0x034f, 0x034f], [0x0370, 0x052f], [0x1d00, 0x1dbf], [0x200b, 0x200f], [0x202a, 0x202e],
  [0x2060, 0x2064], [0x2066, 0x209f], [0x2100, 0x214f], [0x2460, 0x24ff], [0xfb00, 0xfb06],
  [0xfe00, 0xfe0f], [0xfe50, 0xfe6f], [0xff00, 0xffef],
  [0xd835, 0xd835], // high surrogate of the mathematical alphanumerics (𝐩𝐚𝐬𝐬)
];

const FOLDABLE = new Uint8Array(65536);
for (const [a, b] of FOLD_RANGES) FOLDABLE.fill(1, a, b + 1);

export function isFoldable(c: number): boolean {
  return FOLDABLE[c] === 1;
}

const rangeClass = FOLD_RANGES.map(([a, b]) => (a === b ? `\\u${hex4(a)}` : `\\u${hex4(a)}-\\u${hex4(b)}`)).join('');
function hex4(n: number) {
  return n.toString(16).padStart(4, '0');
}
/** Does `text` need the folded match? (a foldable char, or a JSON `\uXXXX` escape) */
export const NEEDS_FOLD = new RegExp(`[${rangeClass}]|\\\\u[0-9a-fA-F]{4}`);

const ZERO_WIDTH = /^[\u00ad\u034f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f]$/;

// Cyrillic and Greek letters that look like Latin ones (Unicode confusables, the common subset).
const CONFUSABLES: Record<string, string> = Object.fromEntries(
  [
    'аa', 'вb', 'еe', 'ёe', 'һh', 'іi', 'ӏl', 'јj', 'кk', 'мm', 'нh', 'оo', 'рp', 'сc', 'тt', 'уy', 'хx', 'ѕs', 'ԁd', 'ԛq', 'ԝw', 'ьb', 'ѡw', 'үy',
    'АA', 'ВB', 'ЕE', 'ЁE', 'ІI', 'ЈJ', 'КK', 'МM', 'НH', 'ОO', 'РP', 'СC', 'ТT', 'УY', 'ХX', 'ЅS', 'ԚQ', 'ԜW', 'ҮY',
    'αa', 'βb', 'εe', 'ιi', 'κk', 'νv', 'οo', 'ρp', 'τt', 'υu', 'χx', 'γy', 'ωw',
    'ΑA', 'ΒB', 'ΕE', 'ΖZ', 'ΗH', 'ΙI', 'ΚK', 'ΜM', 'ΝN', 'ΟO', 'ΡP', 'ΤT', 'ΥY', 'ΧX',
  ].map((p) => [p[0] as string, p.slice(1).trim()]),
);

export interface Folded {
  text: string;
  /** For each char of `text`: where its source starts and ends in the original. */
  from: Int32Array;
  to: Int32Array;
}

function foldChar(ch: string): string {
  if (ZERO_WIDTH.test(ch)) return '';
  const conf = CONFUSABLES[ch];
  if (conf !== undefined) return conf;
  const n = ch.normalize('NFKC');
  let out = '';
  for (const c of n) out += CONFUSABLES[c] ?? c;
  return out;
}

/** The folded copy of `s` with its offset map (see the module comment). */
export function fold(s: string): Folded {
  const from = new Int32Array(s.length + 8);
  const to = new Int32Array(s.length + 8);
  let text = '';
  let from_ = from;
  let to_ = to;
  const push = (piece: string, a: number, b: number) => {
    for (let k = 0; k < piece.length; k++) {
      const n = text.length;
      if (n >= from_.length) {
        const f2 = new Int32Array(from_.length * 2);
        f2.set(from_);
        const t2 = new Int32Array(to_.length * 2);
        t2.set(to_);
        from_ = f2;
        to_ = t2;
      }
      from_[n] = a;
      to_[n] = b;
      text += piece[k];
    }
  };
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 92 && s.charCodeAt(i + 1) === 117 && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
      // JSON escape: decode, then fold what it decodes to
      const ch = String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
      push(FOLDABLE[ch.charCodeAt(0)] === 1 ? foldChar(ch) : ch, i, i + 6);
      i += 6;
      continue;
    }
    if (FOLDABLE[c] !== 1) {
      push(s[i] as string, i, i + 1);
      i++;
      continue;
    }
    const width = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    push(foldChar(s.slice(i, i + width)), i, i + width);
    i += width;
  }
  return { text, from: from_, to: to_ };
}
