#!/usr/bin/env node
// Micro-benchmark of the seeded generator (src/gpu/rng.ts): ns per u32 / float / normal, for the current module
// (dist/gpu/rng.js) and a verbatim copy of the previous implementation (OldRng below), in the same process.
//
//   npm run build && node bench/rng.mjs [--n 16384] [--reps 200]
//
// "normal()" is the per-element call the euler_a / lcm schedulers make each step; "normals(n)" is txt2img's
// initial latent (n = 4·64·64 = 16384 for 512²). Also checks that both give bit-identical streams.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Rng } = await import(pathToFileURL(join(root, 'dist', 'gpu', 'rng.js')).href);
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('n', 16384);
const REPS = arg('reps', 200);

// ---- previous implementation (JS numbers for the state), kept verbatim for comparison ----
const TWO_POW_32 = 4294967296;
function splitmix32(state) {
  state.s = (state.s + 0x9e3779b9) >>> 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
class OldRng {
  constructor(seed) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const st = { s: (lo ^ Math.imul(hi ^ 0x5bd1e995, 0x27d4eb2d)) >>> 0 };
    splitmix32(st);
    st.s = (st.s ^ hi) >>> 0;
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = undefined;
  }
  nextU32() {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
  nextFloat() {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  normal() {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
  normals(n) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }
}

// ---- equality check ----
{
  const a = new Rng(123456789),
    b = new OldRng(123456789);
  const x = a.normals(N),
    y = b.normals(N);
  for (let i = 0; i < N; i++) if (!Object.is(x[i], y[i])) throw new Error(`normals differ at ${i}`);
  for (let i = 0; i < N; i++) if (a.normal() !== b.normal()) throw new Error(`normal() differs at ${i}`);
  for (let i = 0; i < N; i++) if (a.nextFloat() !== b.nextFloat()) throw new Error(`nextFloat differs at ${i}`);
  for (let i = 0; i < N; i++) if (a.nextU32() !== b.nextU32()) throw new Error(`nextU32 differs at ${i}`);
}

let sink = 0;
const cases = {
  nextU32: (R) => {
    const r = new R(1);
    let s = 0;
    for (let i = 0; i < N; i++) s += r.nextU32();
    return s;
  },
  nextFloat: (R) => {
    const r = new R(1);
    let s = 0;
    for (let i = 0; i < N; i++) s += r.nextFloat();
    return s;
  },
  'normal() ×n': (R) => {
    const r = new R(1);
    const out = new Float32Array(N);
    for (let i = 0; i < N; i++) out[i] = out[i] + r.normal() * 0.5;
    return out[N - 1];
  },
  'normals(n)': (R) => {
    const r = new R(1);
    return r.normals(N)[N - 1];
  },
};
function time(fn, R) {
  for (let i = 0; i < 30; i++) sink += fn(R); // warm up
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < REPS; i++) sink += fn(R);
    const ns = Number(process.hrtime.bigint() - t0) / (REPS * N);
    best = Math.min(best, ns);
  }
  return best;
}
console.log(`node ${process.version}, n=${N}, reps=${REPS} (best of 5 rounds, ns per value)`);
console.log('case'.padEnd(14), 'old'.padStart(8), 'new'.padStart(8), 'speedup'.padStart(8));
for (const [name, fn] of Object.entries(cases)) {
  const o = time(fn, OldRng);
  const n = time(fn, Rng);
  console.log(name.padEnd(14), o.toFixed(2).padStart(8), n.toFixed(2).padStart(8), (o / n).toFixed(2).padStart(7) + '×');
}
if (Number.isNaN(sink)) console.log('');
