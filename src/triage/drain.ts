/**
 * Deterministic Drain-style log template miner (He et al. 2017; Drain3 defaults).
 *
 * Lines are masked and hashed by `LineScanner`; the fixed-depth tree is keyed by
 * token count, then by the first `depth - 3` token hashes (Drain3's layout); a leaf holds clusters
 * compared by token-wise similarity (wildcards do not count as similar). Tokens
 * are compared as 32-bit hashes, so two different tokens with equal hashes
 * would be treated as equal (about 1 in 4e9 per comparison): accepted for speed.
 *
 * A position where lines differ in plain words only (`client WindowsUpdateAgent.` / `client SPP.`)
 * stays part of the template while it has held at most `wordValues` words: the cluster reports one
 * template (a variant, with an id of its own) per combination of such words, and folds them when a
 * position takes one more or a value that is no word (src/triage/word-values.ts says why).
 *
 * Memory is bounded: past `maxClusters`, the least recently matched cluster is
 * evicted (O(1) intrusive LRU list). Ids grow from 1 in creation order and are
 * never reused, so output is deterministic for a given input order.
 */
import { LineScanner, WILDCARD_HASH, WILDCARD_TEXT, isSpaceCode, type MaskTexts } from './tokenize.js';
import { commonAffixes } from './affixes.js';
import { isUnit, wordsApart } from './word-values.js';

// Local copy: some loaders compile imported bindings to getters, which would
// put a call in the innermost similarity loop.
const WILD = WILDCARD_HASH;

export interface TemplateCluster {
  id: number;
  template: string;
  count: number;
  /** First line that created the cluster (as given to `add`, or via `example` option). */
  example: string;
  firstSeen?: string;
  lastSeen?: string;
}

export interface TemplateMinerOptions {
  similarityThreshold?: number;
  depth?: number;
  maxChildren?: number;
  maxClusters?: number;
  /** Texts for masked parts; the pipeline sets `ip: '[REDACTED_IP]'` when redacting. */
  masks?: Partial<MaskTexts>;
  /** Maps a line to the example stored at cluster creation (e.g. `redact`). */
  example?: (line: string) => string;
  /**
   * Distinct words a differing position may hold and stay part of the template (one variant per
   * word); 0 makes every differing position a wildcard, as in Drain. Default 3.
   */
  wordValues?: number;
  /** Called with each evicted cluster. */
  onEvict?: (cluster: TemplateCluster) => void;
  /** Called when a variant is folded into another (its position took one word too many): `from` is gone. */
  onFold?: (from: TemplateCluster, into: TemplateCluster) => void;
}

/** Word positions a cluster keeps as variants (3 words each: 81 variants at most); later ones are wildcards. */
const WORD_SLOTS_MAX = 4;

/** A position kept literal while it holds few words: their hashes and texts, in order of appearance. */
interface Slot {
  at: number;
  hashes: number[];
  texts: string[];
}

/** A variant's view and the cluster that holds it. */
interface Variant {
  view: TemplateCluster;
  cluster: Cluster;
}

/** A wildcard position's literal edges (plain fields: checked on every line the cluster takes). */
interface Affix {
  at: number;
  pre: string;
  suf: string;
}

const isSpace = isSpaceCode; // local copy, as WILD above

/** Internal record: the public view plus tree and LRU bookkeeping. */
interface Cluster {
  view: TemplateCluster;
  hashes: Int32Array;
  texts: string[];
  /**
   * Per wildcard position that kept literal edges (`user=<*>`, `(<*>)`), its `[prefix, suffix]`;
   * null when none did. Display only: a wildcard position still matches any token.
   */
  affixes: Affix[] | null;
  /** Word positions kept literal (null: none); a line's variant index is its words' indexes, mixed radix. */
  slots: Slot[] | null;
  /** Views by variant index (holes: combinations not seen); `[0]` is `view`, the first line's. */
  variants: (TemplateCluster | undefined)[] | null;
  /** Ids of variants folded into others, forgotten with the cluster. */
  folded: number[] | null;
  leaf: Cluster[];
  path: TreeNode[];
  prev: Cluster | null;
  next: Cluster | null;
}

interface TreeNode {
  children: Map<number, TreeNode>;
  clusters: Cluster[];
  parent: TreeNode | null;
  key: number;
}

// Tree key for "any other token" once a node is full (Drain's `<*>` child).
const OTHER_CHILD = WILD;

/** End of the token starting at `start` (the next whitespace or the string's end). */
function tokenEnd(s: string, start: number): number {
  let e = start;
  while (e < s.length && !isSpace(s.charCodeAt(e))) e++;
  return e;
}

function node(parent: TreeNode | null, key: number): TreeNode {
  return { children: new Map(), clusters: [], parent, key };
}

export class TemplateMiner {
  readonly similarityThreshold: number;
  readonly depth: number;
  readonly maxChildren: number;
  readonly maxClusters: number;
  /** Clusters evicted so far by the LRU bound. */
  evicted = 0;
  /**
   * Bumped whenever a line could be placed differently from before: a cluster created or evicted,
   * a template position turned into a wildcard. While it stands still, a line mined before goes
   * to the same cluster and changes nothing but counts (`again`).
   */
  generation = 0;
  readonly scanner: LineScanner;
  private readonly root = node(null, 0);
  private readonly byId = new Map<number, Cluster>();
  /** Variants other than their cluster's first, by id. */
  private readonly variantOf = new Map<number, Variant>();
  /** A folded variant's id → the id of the variant it went into (`currentId`). */
  private readonly aliases = new Map<number, number>();
  private readonly wordValues: number;
  private nextId = 1;
  private head: Cluster | null = null; // most recently used
  private tail: Cluster | null = null; // least recently used
  private readonly exampleOf: ((line: string) => string) | undefined;
  private readonly onEvict: ((cluster: TemplateCluster) => void) | undefined;
  private readonly onFold: ((from: TemplateCluster, into: TemplateCluster) => void) | undefined;
  private readonly maskTexts: Partial<MaskTexts> | undefined;
  private aux: LineScanner | null = null; // renders single tokens; the main scanner holds the line

  constructor(options: TemplateMinerOptions = {}) {
    const { similarityThreshold = 0.4, depth = 4, maxChildren = 100, maxClusters = 1000, wordValues = 3 } = options;
    if (!(similarityThreshold > 0 && similarityThreshold <= 1)) {
      throw new RangeError(`similarityThreshold must be in (0, 1], got ${similarityThreshold}`);
    }
    if (!Number.isInteger(depth) || depth < 3) throw new RangeError(`depth must be an integer >= 3, got ${depth}`);
    if (!Number.isInteger(maxChildren) || maxChildren < 2) {
      throw new RangeError(`maxChildren must be an integer >= 2, got ${maxChildren}`);
    }
    if (!Number.isInteger(maxClusters) || maxClusters < 1) {
      throw new RangeError(`maxClusters must be an integer >= 1, got ${maxClusters}`);
    }
    if (!Number.isInteger(wordValues) || wordValues < 0 || wordValues > 8) {
      throw new RangeError(`wordValues must be an integer in [0, 8], got ${wordValues}`);
    }
    this.wordValues = wordValues;
    this.similarityThreshold = similarityThreshold;
    this.depth = depth;
    this.maxChildren = maxChildren;
    this.maxClusters = maxClusters;
    this.scanner = new LineScanner(options.masks);
    this.maskTexts = options.masks;
    this.exampleOf = options.example;
    this.onEvict = options.onEvict;
    this.onFold = options.onFold;
  }

  /** Mine one line. The returned object is live: later lines update it. */
  add(line: string, at?: string, example?: string): TemplateCluster {
    this.scanner.scan(line);
    return this.place(line, 1, at, at, example);
  }

  /**
   * Mine the line last passed to `this.scanner.scan()`/`scanRange()` without
   * scanning again (the pipeline scans first to read redaction hints).
   */
  addScanned(line: string, at?: string, example?: string): TemplateCluster {
    return this.place(line, 1, at, at, example);
  }

  /** `addScanned` for the message `s[from, to)`: sliced only when it makes a new cluster. */
  addScannedRange(s: string, from: number, to: number, at?: string, example?: string): TemplateCluster {
    const { tokens, count, params } = this.scanner;
    const leaf = this.leafFor(tokens, params, count);
    const match = this.bestMatch(leaf.clusters, tokens, count);
    if (match === null) return this.create(s.slice(from, to), 1, at, at, example, leaf).view;
    return this.matched(match, 1, at, at, s, from, to, example);
  }

  /**
   * The line mined into cluster `id` once more, as `addScanned` would place it while `generation`
   * has not moved since: counted and timed, nothing else changes.
   */
  again(id: number, at?: string): TemplateCluster {
    let c = this.byId.get(id);
    let v: TemplateCluster;
    if (c !== undefined) v = c.view;
    else {
      const variant = this.variantOf.get(id) as Variant;
      c = variant.cluster;
      v = variant.view;
    }
    v.count += 1;
    if (at !== undefined) {
      v.lastSeen = at;
      v.firstSeen ??= at;
    }
    this.touch(c);
    return v;
  }

  /**
   * Fold a cluster mined elsewhere (another worker, a snapshot) into this one:
   * its template is mined like a line, weighted by its count. Call in time
   * order; the earliest firstSeen and the latest lastSeen are kept.
   */
  merge(other: TemplateCluster): TemplateCluster {
    this.scanner.scan(other.template);
    // a wildcard with literal edges (`user=<*>`) is a wildcard: it must match as one
    if (other.template.includes(WILDCARD_TEXT)) this.wildcardsIn(other.template);
    return this.place(other.template, other.count, other.firstSeen, other.lastSeen, other.example);
  }

  private place(
    line: string,
    weight: number,
    first: string | undefined,
    last: string | undefined,
    example: string | undefined,
  ): TemplateCluster {
    const { tokens, count, params } = this.scanner;
    const leaf = this.leafFor(tokens, params, count);
    const match = this.bestMatch(leaf.clusters, tokens, count);
    if (match === null) return this.create(line, weight, first, last, example, leaf).view;
    return this.matched(match, weight, first, last, line, 0, line.length, example);
  }

  /** `match` takes the line `s[from, to)` (`s`: what the last scan read); its view for the line is returned. */
  private matched(
    match: Cluster,
    weight: number,
    first: string | undefined,
    last: string | undefined,
    s: string,
    from: number,
    to: number,
    example: string | undefined,
  ): TemplateCluster {
    const { tokens, count } = this.scanner;
    this.absorb(match, tokens, count, s);
    const v = match.slots === null ? match.view : this.variantFor(match, s, from, to, example);
    v.count += weight;
    if (last !== undefined) v.lastSeen = last;
    if (v.firstSeen === undefined && first !== undefined) v.firstSeen = first;
    this.touch(match);
    return v;
  }

  /** Snapshot of all clusters (a cluster with word variants: each variant), by count desc then id asc. */
  clusters(): TemplateCluster[] {
    const out: TemplateCluster[] = [];
    for (const c of this.byId.values()) {
      if (c.variants === null) out.push({ ...c.view });
      else for (const v of c.variants) if (v !== undefined) out.push({ ...v });
    }
    return out.sort((a, b) => b.count - a.count || a.id - b.id);
  }

  /**
   * The id under which the lines mined as `id` are counted now: a folded variant's lines are its
   * survivor's. Ids of evicted clusters are returned as they are.
   */
  currentId(id: number): number {
    let cur = id;
    for (let next = this.aliases.get(cur); next !== undefined; next = this.aliases.get(cur)) cur = next;
    return cur;
  }

  get size(): number {
    return this.byId.size;
  }

  private leafFor(tokens: Int32Array, params: Uint8Array, count: number): TreeNode {
    let cur: TreeNode | undefined = this.root.children.get(count);
    if (cur === undefined) {
      cur = node(this.root, count);
      this.root.children.set(count, cur);
    }
    // As in Drain3: depth counts the root and the length layer, and a line's
    // last token is never a key, so `depth - 3` tokens at most.
    const levels = Math.min(this.depth - 3, count - 1);
    for (let i = 0; i < levels; i++) {
      // As in Drain3, a token with a parameter (digits, a mask) goes to the shared wildcard
      // child: lines led by parameters (`chrome.exe:1234 …`, node names) share one subtree.
      const key = params[i] === 1 ? OTHER_CHILD : (tokens[i] as number);
      let next: TreeNode | undefined = cur.children.get(key);
      if (next === undefined) {
        // A full node routes unseen tokens to its shared wildcard child.
        const full = cur.children.size >= this.maxChildren - 1 && key !== OTHER_CHILD;
        const k = full ? OTHER_CHILD : key;
        next = cur.children.get(k);
        if (next === undefined) {
          next = node(cur, k);
          cur.children.set(k, next);
        }
      }
      cur = next;
    }
    return cur;
  }

  private bestMatch(candidates: Cluster[], tokens: Int32Array, count: number): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (const c of candidates) {
      const h = c.hashes;
      let sim = 0;
      let params = 0;
      for (let i = 0; i < count; i++) {
        const t = h[i];
        if (t === WILD) params++;
        else if (t === tokens[i]) sim++;
      }
      const ratio = count === 0 ? 1 : sim / count;
      if (ratio > bestSim || (ratio === bestSim && params > bestParams)) {
        best = c;
        bestSim = ratio;
        bestParams = params;
      }
    }
    return best !== null && bestSim >= this.similarityThreshold ? best : null;
  }

  /**
   * Turn differing positions of the template into wildcards. Literal edges both tokens share
   * are kept (`user=root` / `user=guest` → `user=<*>`, `(a.net)` / `(b.org)` → `(<*>)`): a key or
   * bracket is no parameter. Later lines can only shrink them, so the template matches every line.
   */
  private absorb(c: Cluster, tokens: Int32Array, count: number, s: string): void {
    const h = c.hashes;
    let changed = false;
    for (let i = 0; i < count; i++) {
      if (h[i] !== tokens[i] && h[i] !== WILD) {
        const old = c.texts[i] as string;
        const text = this.maskedToken(s, i);
        if (this.wordValues > 1 && (c.slots?.length ?? 0) < WORD_SLOTS_MAX && wordsApart(old, text) && !this.unitAfterNumber(i, old, text)) {
          // two words: the position stays literal, one variant per word (variantFor places the line)
          (c.slots ??= []).push({ at: i, hashes: [h[i] as number, tokens[i] as number], texts: [old, text] });
          c.variants ??= [c.view];
        }
        const edges = commonAffixes(old, text);
        h[i] = WILD;
        changed = true;
        this.generation++;
        if (edges === null) c.texts[i] = WILDCARD_TEXT;
        else {
          (c.affixes ??= []).push({ at: i, pre: edges[0], suf: edges[1] });
          c.texts[i] = edges[0] + WILDCARD_TEXT + edges[1];
          if (c.affixes.length > 1) c.affixes.sort((a, b) => a.at - b.at);
        }
      }
    }
    const affixes = c.affixes;
    if (affixes !== null) {
      const starts = this.scanner.starts;
      for (let k = 0; k < affixes.length; k++) {
        const a = affixes[k] as Affix;
        // fast check on the line's own text (edges hold no digits, so masking cannot change them)
        const start = starts[a.at] as number;
        if (s.startsWith(a.pre, start)) {
          if (a.suf === '') continue;
          const end = tokenEnd(s, start);
          if (end - start >= a.pre.length + a.suf.length && s.endsWith(a.suf, end)) continue;
        }
        const kept = commonAffixes(c.texts[a.at] as string, this.maskedToken(s, a.at));
        changed = true;
        if (kept === null) {
          c.texts[a.at] = WILDCARD_TEXT;
          affixes.splice(k--, 1);
        } else {
          a.pre = kept[0];
          a.suf = kept[1];
          c.texts[a.at] = kept[0] + WILDCARD_TEXT + kept[1];
        }
      }
      if (affixes.length === 0) c.affixes = null;
    }
    if (changed) this.retemplate(c);
  }

  /**
   * The variant of `c` for the line last scanned (`s[from, to)`), made when its combination of words
   * is new. A slot position with a new word beyond `wordValues`, or a value that is no word, is
   * folded first.
   */
  private variantFor(c: Cluster, s: string, from: number, to: number, example: string | undefined): TemplateCluster {
    const tokens = this.scanner.tokens;
    const radix = this.wordValues;
    const slots = c.slots as Slot[];
    let index = 0;
    let weight = 1;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[k] as Slot;
      const h = tokens[slot.at] as number;
      let d = slot.hashes.indexOf(h);
      if (d < 0) {
        const text = h === WILD ? WILDCARD_TEXT : this.maskedToken(s, slot.at);
        if (slot.hashes.length >= radix || !wordsApart(slot.texts[0] as string, text)) {
          this.fold(c, k);
          return c.slots === null ? c.view : this.variantFor(c, s, from, to, example);
        }
        d = slot.hashes.length;
        slot.hashes.push(h);
        slot.texts.push(text);
      }
      index += d * weight;
      weight *= radix;
    }
    const variants = c.variants as (TemplateCluster | undefined)[];
    const known = variants[index];
    if (known !== undefined) return known;
    const line = from === 0 && to === s.length ? s : s.slice(from, to);
    const view: TemplateCluster = {
      id: this.nextId++,
      template: this.variantTemplate(c, index),
      count: 0,
      example: example ?? (this.exampleOf ? this.exampleOf(line) : line),
    };
    variants[index] = view;
    this.variantOf.set(view.id, { view, cluster: c });
    return view; // no generation bump: a line mined before still goes where it went
  }

  /** Are both values at `i` units after a number (`5.7 KB` / `812 B`: one quantity, one parameter)? */
  private unitAfterNumber(i: number, old: string, text: string): boolean {
    return i > 0 && this.scanner.params[i - 1] === 1 && isUnit(old) && isUnit(text);
  }

  /** `c`'s template with its slots' words for variant `index`. */
  private variantTemplate(c: Cluster, index: number): string {
    const texts = c.texts.slice();
    let rest = index;
    for (const slot of c.slots as Slot[]) {
      texts[slot.at] = slot.texts[rest % this.wordValues] as string;
      rest = Math.floor(rest / this.wordValues);
    }
    return texts.join(' ');
  }

  /** Render `c`'s template (each variant's) after its texts changed. */
  private retemplate(c: Cluster): void {
    if (c.variants === null) c.view.template = c.texts.join(' ');
    else c.variants.forEach((v, i) => {
      if (v !== undefined) v.template = this.variantTemplate(c, i);
    });
  }

  /**
   * Slot `k` of `c` becomes a plain wildcard: variants differing only in its word fold into the one
   * made first (counts and times add up), and every template is rendered again.
   */
  private fold(c: Cluster, k: number): void {
    const radix = this.wordValues;
    const below = radix ** k;
    const next: (TemplateCluster | undefined)[] = [];
    (c.variants as (TemplateCluster | undefined)[]).forEach((v, i) => {
      if (v === undefined) return;
      const j = (i % below) + Math.floor(i / (below * radix)) * below; // index without slot k's digit
      const into = next[j];
      if (into === undefined) next[j] = v;
      else if (into.id < v.id) this.foldInto(c, v, into);
      else {
        this.foldInto(c, into, v);
        next[j] = v;
      }
    });
    (c.slots as Slot[]).splice(k, 1);
    if ((c.slots as Slot[]).length === 0) {
      c.slots = null;
      c.variants = null;
    } else c.variants = next;
    this.generation++;
    this.retemplate(c);
  }

  private foldInto(c: Cluster, from: TemplateCluster, into: TemplateCluster): void {
    into.count += from.count;
    if (from.firstSeen !== undefined && (into.firstSeen === undefined || from.firstSeen < into.firstSeen)) into.firstSeen = from.firstSeen;
    if (from.lastSeen !== undefined && (into.lastSeen === undefined || from.lastSeen > into.lastSeen)) into.lastSeen = from.lastSeen;
    this.variantOf.delete(from.id);
    this.aliases.set(from.id, into.id);
    (c.folded ??= []).push(from.id);
    this.onFold?.(from, into);
  }

  /** Token `i` of the last scan of `s`, masked as the template shows it (slow path: templates changing). */
  private maskedToken(s: string, i: number): string {
    const start = this.scanner.starts[i] as number;
    const raw = s.slice(start, tokenEnd(s, start));
    if (raw.includes(WILDCARD_TEXT)) return raw; // a rendered template's token (merge)
    this.aux ??= new LineScanner(this.maskTexts);
    return this.aux.render(raw)[0] ?? raw;
  }

  /** Tokens of the last scan holding `<*>` (`user=<*>`, from a rendered template) become wildcards. */
  private wildcardsIn(template: string): void {
    const sc = this.scanner;
    for (let i = 0; i < sc.count; i++) {
      const start = sc.starts[i] as number;
      const end = tokenEnd(template, start);
      const at = template.indexOf(WILDCARD_TEXT, start);
      if (at >= 0 && at < end) sc.tokens[i] = WILD;
    }
  }

  private create(
    line: string,
    weight: number,
    first: string | undefined,
    last: string | undefined,
    example: string | undefined,
    leaf: TreeNode,
  ): Cluster {
    const { tokens, count } = this.scanner;
    const hashes = tokens.slice(0, count); // copy before render() reuses the scanner
    const texts = this.scanner.render(line);
    const view: TemplateCluster = {
      id: this.nextId++,
      template: texts.join(' '),
      count: weight,
      example: example ?? (this.exampleOf ? this.exampleOf(line) : line),
    };
    if (first !== undefined) view.firstSeen = first;
    if (last !== undefined) view.lastSeen = last;
    const path: TreeNode[] = [];
    for (let n: TreeNode | null = leaf; n !== null && n !== this.root; n = n.parent) path.push(n);
    const c: Cluster = { view, hashes, texts, affixes: null, slots: null, variants: null, folded: null, leaf: leaf.clusters, path, prev: null, next: null };
    // a merged template's `user=<*>`: its edges shrink like any other
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i] as string;
      if (hashes[i] === WILD && t !== WILDCARD_TEXT) {
        const at = t.indexOf(WILDCARD_TEXT);
        if (at >= 0) (c.affixes ??= []).push({ at: i, pre: t.slice(0, at), suf: t.slice(at + WILDCARD_TEXT.length) });
      }
    }
    leaf.clusters.push(c);
    this.generation++;
    this.byId.set(view.id, c);
    this.touch(c);
    if (this.byId.size > this.maxClusters && this.tail !== null) this.evict(this.tail);
    return c;
  }

  private touch(c: Cluster): void {
    if (this.head === c) return;
    // unlink
    if (c.prev !== null) c.prev.next = c.next;
    if (c.next !== null) c.next.prev = c.prev;
    if (this.tail === c) this.tail = c.prev;
    // push front
    c.prev = null;
    c.next = this.head;
    if (this.head !== null) this.head.prev = c;
    this.head = c;
    this.tail ??= c;
  }

  private evict(c: Cluster): void {
    if (c.prev !== null) c.prev.next = null;
    this.tail = c.prev;
    if (this.head === c) this.head = null;
    c.prev = null;
    this.byId.delete(c.view.id);
    const i = c.leaf.indexOf(c);
    if (i >= 0) c.leaf.splice(i, 1);
    // Prune tree nodes left empty so the tree stays bounded too.
    for (const n of c.path) {
      if (n.clusters.length > 0 || n.children.size > 0 || n.parent === null) break;
      n.parent.children.delete(n.key);
    }
    this.evicted++;
    this.generation++;
    if (c.folded !== null) for (const id of c.folded) this.aliases.delete(id);
    if (c.variants === null) this.onEvict?.(c.view);
    else {
      for (const v of c.variants) {
        if (v === undefined) continue;
        this.variantOf.delete(v.id);
        this.onEvict?.(v);
      }
    }
  }
}
