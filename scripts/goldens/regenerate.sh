#!/usr/bin/env bash
# Regenerates every golden file under test/gpu/goldens (and src/gpu/tokenizer/ftfy-data.ts) from the Python
# references. One-time setup, in a virtual environment:
#   pip install -r scripts/goldens/requirements.txt && pip install --no-deps open_clip_torch==3.3.0
# Then: bash scripts/goldens/regenerate.sh   (PYTHON=… to pick the interpreter). The outputs are byte-stable:
# `git diff` after a run shows what a reference upgrade changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
"$PY" -W ignore scripts/goldens/schedulers.py
"$PY" scripts/goldens/ftfy_data.py
"$PY" scripts/goldens/clip_tokenizer.py
"$PY" -W ignore scripts/goldens/bytelevel_tokenizer.py
