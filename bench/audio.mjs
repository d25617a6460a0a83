#!/usr/bin/env node
// Griffin-Lim at Riffusion's size: lunc-ml (src/gpu/dsp) against librosa, measured in the same run, alternating.
//
//   npm run build && node bench/audio.mjs [--frames 512] [--iters 32] [--rounds 2] [--python python3]
//
// Same work on both sides: a [8821 × frames] magnitude spectrogram (n_fft 17640, hop 441, Hann window 4410,
// centred frames with reflect padding), `iters` fast Griffin-Lim iterations with momentum 0.99 from random phases,
// float64 (librosa keeps float64 input in complex128). 512 frames is one 512-px Riffusion image (~5.1 s of audio).
// librosa's first call also pays its imports and FFT planning: that round is reported apart and left out of the
// median. Without librosa (pip install librosa) only lunc-ml's times are printed.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const frames = Number(arg('frames', 512));
const iters = Number(arg('iters', 32));
const rounds = Number(arg('rounds', 2));
const python = arg('python', process.env.PYTHON ?? 'python3');
const p = { nFft: 17640, winLength: 4410, hopLength: 441 };

const { griffinLim } = await import(join(root, 'dist/gpu/dsp/audio.js'));
const { Rng } = await import(join(root, 'dist/gpu/rng.js'));

const F = p.nFft / 2 + 1;
const r = new Rng(1);
const mag = Float64Array.from({ length: F * frames }, () => Math.abs(r.normal()));

function ours() {
  const t0 = performance.now();
  griffinLim(mag, frames, p, iters, 0.99, new Rng(2));
  return (performance.now() - t0) / 1000;
}

// one Python process per round, timing only librosa.griffinlim (after its imports)
const PY = `
import sys, time, numpy as np
import librosa
frames, iters, n_fft, hop, win = map(int, sys.argv[1:6])
S = np.abs(np.random.default_rng(1).standard_normal((n_fft // 2 + 1, frames)))
t0 = time.perf_counter()
librosa.griffinlim(S, n_iter=iters, hop_length=hop, win_length=win, n_fft=n_fft, window="hann", center=True,
                   pad_mode="reflect", momentum=0.99, init="random", random_state=0)
print(time.perf_counter() - t0)
print(librosa.__version__)
`;
let haveLibrosa = true;
function librosa() {
  const res = spawnSync(python, ['-c', PY, String(frames), String(iters), String(p.nFft), String(p.hopLength), String(p.winLength)], { encoding: 'utf8' });
  if (res.status !== 0) {
    haveLibrosa = false;
    console.log(`librosa: not run (${(res.stderr || res.error?.message || '').trim().split('\n').at(-1)})`);
    return undefined;
  }
  const [secs, version] = res.stdout.trim().split('\n');
  return { secs: Number(secs), version };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(
  `Griffin-Lim, n_fft ${p.nFft}, hop ${p.hopLength}, ${frames} frames, ${iters} iterations; load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const a = [];
const b = [];
let version = '';
const first = librosa();
if (first) {
  version = first.version;
  console.log(`librosa ${version} first call (imports, planning): ${first.secs.toFixed(2)} s`);
}
// JIT warm-up on a short spectrogram of the same n_fft
griffinLim(mag.subarray(0, F * 8), 8, p, 2, 0.99, new Rng(3));
for (let i = 0; i < rounds; i++) {
  a.push(ours());
  console.log(`round ${i + 1}: lunc-ml ${a.at(-1).toFixed(2)} s`);
  if (haveLibrosa) {
    const l = librosa();
    if (l) {
      b.push(l.secs);
      console.log(`round ${i + 1}: librosa ${b.at(-1).toFixed(2)} s`);
    }
  }
}
const ma = median(a);
if (b.length) {
  const mb = median(b);
  console.log(`median: lunc-ml ${ma.toFixed(2)} s, librosa ${version} ${mb.toFixed(2)} s → lunc-ml/librosa ${(ma / mb).toFixed(2)} (goal ≤ 1)`);
} else {
  console.log(`median: lunc-ml ${ma.toFixed(2)} s`);
}
