import { ContainerTriage } from '../src/triage/pipeline.js';
import { generateCorpus } from './triage-corpus.js';
const mode = process.argv[2];
if (mode === 'gc') { (await import('node:v8')).setFlagsFromString('--expose-gc'); }
const c = generateCorpus(300_000);
let chunks: Uint8Array[] = c.chunks;
if (mode === 'sab') chunks = c.chunks.map((b) => { const u = new Uint8Array(new SharedArrayBuffer(b.byteLength)); u.set(b); return u; });
const decode = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('utf8');
for (let p = 0; p < 4; p++) {
  const t0 = performance.now();
  const t = new ContainerTriage();
  for (const ch of chunks) { const s = decode(ch); let i = 0; for (let j = s.indexOf('\n'); j >= 0; j = s.indexOf('\n', i)) { t.pushRange(s, i, j); i = j + 1; } }
  console.log(mode, ((300000 / (performance.now() - t0)) / 1000).toFixed(2), 'M/s');
}
