#!/usr/bin/env bash
# Regenerates fixtures/ica/* from the CLI. Run only when the protocol changes on purpose, then review the diff:
# test/ica/golden.test.ts and chain/x/ml golden tests compare these bytes exactly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cli="node bin/lunc-ml.js"
ica=mlc19rc780mqg264mv46mkf6n6yzgmx386x2awkxqrrsl8cgf8dcq8xqyd72v8
out=fixtures/ica
$cli tx generate-image --generate-only --creator "$ica" --prompt "126 danish homes, village, night" \
  --negative "blurry" --model sd-2.1 --steps 20 --size 512x512 --seed 42 --scheduler euler --guidance 7.5 \
  --max-fee 1000umlc --out $out/generate-image.msg.json >/dev/null
$cli tx generate-audio --generate-only --creator "$ica" --prompt "calm lo-fi beat" --style jazz --duration 5000 \
  --steps 20 --seed 7 --model riffusion-v1 --max-fee 1000umlc --out $out/generate-audio.msg.json >/dev/null
$cli tx chat --generate-only --creator "$ica" --prompt "What is Terra Classic?" --max-tokens 64 --temperature 0.7 \
  --seed 3 --model llama-3-8b --max-fee 1000umlc --out $out/chat.msg.json >/dev/null
for enc in proto3 proto3json; do
  $cli ica packet-data $out/generate-image.msg.json --encoding $enc --memo "lunc-ml golden" > $out/generate-image.packet-data.$enc.json
done
$cli ica packet-data $out/generate-image.msg.json --encoding proto3 --memo "lunc-ml golden" --format hex > $out/generate-image.packet-data.proto3.hex
$cli ica packet-data $out/generate-image.msg.json $out/generate-audio.msg.json $out/chat.msg.json --encoding proto3 > $out/all-jobs.packet-data.proto3.json
echo "updated $out"
