#!/usr/bin/env bash
# One command for a GPU machine: which onnxruntime execution providers load (`lunc-ml gpu doctor` on each), then the
# SD-1.5-shape image job on every provider that loaded, with pipeline / Σ ORT and each GPU provider against CPU.
#
#   npm ci && npm run build && bench/gpu-device.sh [--steps 20] [--size 512] [--reps 3] [--eps cpu,cuda:0,webgpu]
#
# Needs node (with dist/ built) and python3 with onnx + numpy (scripts/requirements.txt) to generate the models when
# they are missing: fixtures/models (tiny models, for the doctor's self-tests) and bench/out/models/sd15-shape (SD 1.5's
# tensor shapes, random weights; see bench/RESULTS-gpu.md). On a machine without a GPU it runs on CPU alone and says
# why each GPU provider did not load. CUDA needs onnxruntime-node's CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12
# npm ci); WebGPU needs the Vulkan loader and the GPU vendor's Vulkan driver: on NVIDIA machines without a desktop,
# Debian/Ubuntu packages libvulkan1 libglvnd0 libglx0 libegl1 libgl1 (libvulkan1 alone gave VK_ERROR_INCOMPATIBLE_DRIVER
# from the driver's ICD, libGLX_nvidia.so.0), and VK_DRIVER_FILES pointing at nvidia_icd.json if the loader finds none.
# With onnxruntime-node 1.23/1.24 a process that made a WebGPU session dies of SIGSEGV in process.exit() (the CLI's
# way out) after its work is done; 1.30 exits cleanly.
#
# The image job runs in process (no worker threads), one warm-up and then the best of --reps, like
# bench/gpu-pipeline.mjs. "vs cpu" is CPU pipeline ms / that provider's pipeline ms (above 1: faster than CPU);
# "max |Δ| vs cpu" compares the 8-bit RGB images with the CPU's for the same seed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
steps=20 size=512 reps=3 eps=cpu,cuda:0,webgpu
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --eps) eps=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gpu-device.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

command -v node >/dev/null || { echo "gpu-device.sh: node is not on PATH" >&2; exit 1; }
[ -f dist/cli.js ] || { echo "gpu-device.sh: dist/ is not built: npm run build" >&2; exit 1; }
tiny=fixtures/models sd15=bench/out/models/sd15-shape
if [ ! -d "$tiny/tiny-sd" ] || [ ! -d "$sd15/unet" ]; then
  command -v python3 >/dev/null || { echo "gpu-device.sh: models missing and no python3 to generate them" >&2; exit 1; }
  [ -d "$tiny/tiny-sd" ] || python3 scripts/gen_tiny_models.py "$tiny" >/dev/null
  [ -d "$sd15/unet" ] || python3 scripts/gen_tiny_models.py --shapes sd15 >/dev/null
fi

echo "== machine"
echo "node $(node -v), $(nproc) cores, $(uname -sm)"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
else
  echo "no nvidia-smi"
fi

# A provider "loads" when the doctor's probe session on it computes the right answer; its model self-tests follow.
loaded=()
IFS=, read -ra want <<<"$eps"
for ep in "${want[@]}"; do
  echo
  echo "== lunc-ml gpu doctor --devices $ep --models $tiny"
  set +e
  out=$(node bin/lunc-ml.js gpu doctor --devices "$ep" --models "$tiny" 2>&1)
  rc=$?
  set -e
  echo "$out"
  if grep -q "^  ok   $ep via " <<<"$out"; then
    loaded+=("$ep")
    if [ "$rc" -ge 128 ]; then
      echo "-> $ep loaded, but the doctor process died of signal $((rc - 128)) after its report"
    elif [ "$rc" -ne 0 ]; then
      echo "-> $ep loaded, but a model self-test failed (exit $rc)"
    fi
  else
    echo "-> $ep did not load: $(grep -m1 "FAIL $ep" <<<"$out" | sed "s/^  FAIL $ep: //")"
  fi
done

echo
echo "== sd15-shape image ${size}x${size}, $steps steps, guidance 7.5, on: ${loaded[*]:-nothing}"
[ ${#loaded[@]} -gt 0 ] || { echo "no provider loaded" >&2; exit 1; }
bench_js=$(mktemp --suffix=.mjs)
trap 'rm -f "$bench_js"' EXIT
cat >"$bench_js" <<'EOF'
const [root, dir, size, steps, reps, ...eps] = process.argv.slice(2);
const { PipelineCache } = await import(`${root}/dist/gpu/jobs.js`);
const { parseDevices } = await import(`${root}/dist/gpu/device-pool.js`);
const params = { prompt: 'a photo of a cat', steps: Number(steps), width: Number(size), height: Number(size), seed: 1, guidance: 7.5 };
const rows = [];
let cpu;
for (const ep of eps) {
  const [device] = parseDevices(ep);
  const cache = new PipelineCache({ device });
  try {
    const t0 = performance.now();
    const p = await cache.get('image', dir);
    const loadMs = performance.now() - t0;
    const models = [p.textEncoder, p.unet, p.vae];
    const w0 = performance.now();
    await p.run(params); // warm-up: first-run allocations, shader compilation
    const warmMs = performance.now() - w0;
    let best;
    for (let i = 0; i < Number(reps); i++) {
      const before = models.map((m) => m.ortMs);
      const r = await p.run(params);
      if (!best || r.timings.wallMs < best.r.timings.wallMs) best = { r, per: models.map((m, j) => m.ortMs - before[j]) };
    }
    const { r, per } = best;
    if (r.provider !== device.kind) throw new Error(`ran on ${r.provider}, not ${device.kind}`);
    const rgb = r.images[0].rgb;
    if (ep === 'cpu') cpu = { ms: r.timings.wallMs, rgb };
    let diff = '';
    if (cpu && ep !== 'cpu') {
      let max = 0;
      for (let i = 0; i < rgb.length; i++) max = Math.max(max, Math.abs(rgb[i] - cpu.rgb[i]));
      diff = String(max);
    }
    rows.push({
      ep, provider: r.provider, 'load ms': loadMs.toFixed(0), 'warm-up ms': warmMs.toFixed(0), 'ORT runs': r.timings.ortRuns,
      'text enc ms': per[0].toFixed(1), 'unet ms/step': (per[1] / (r.timings.ortRuns - 2)).toFixed(2), 'vae ms': per[2].toFixed(1),
      'Σ ORT ms': r.timings.ortMs.toFixed(1), 'pipeline ms': r.timings.wallMs.toFixed(1), 'pipeline/ΣORT': (r.timings.wallMs / r.timings.ortMs).toFixed(3),
      'vs cpu': cpu ? (cpu.ms / r.timings.wallMs).toFixed(2) + 'x' : '(no cpu row)', 'max |Δ| vs cpu': diff,
    });
  } catch (e) {
    rows.push({ ep, error: String(e?.message ?? e).split('\n')[0] });
  } finally {
    await cache.releaseAll();
  }
}
console.table(rows);
EOF
node "$bench_js" "$root" "$root/$sd15" "$size" "$steps" "$reps" "${loaded[@]}"
