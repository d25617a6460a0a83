#!/usr/bin/env bash
# Generates code from chain/proto, the single source of the lunc.ml.v1 protocol:
#   TypeScript (ts-proto) into src/proto/, Go (gocosmos) via chain/scripts/protocgen.sh.
# Usage: scripts/proto-gen.sh [--check]   --check fails if the checked-in code differs from a fresh run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler (3.21+)" >&2; exit 3; }
command -v go >/dev/null || { echo "go not found: third-party .proto files are read from the Go module cache" >&2; exit 3; }

# Third-party protos come from the versions chain/go.mod pins, so TS and Go agree on them.
moddir() { (cd "$root/chain" && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }
sdk="$(moddir github.com/cosmos/cosmos-sdk)"
gogo="$(moddir github.com/cosmos/gogoproto)"
cprot="$(moddir github.com/cosmos/cosmos-proto)"
includes=(-I "$root/chain/proto" -I "$sdk/proto" -I "$gogo" -I "$cprot/proto")

out="$root/src/proto"
if [[ "${1:-}" == "--check" ]]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
fi
rm -rf "$out" && mkdir -p "$out"

mapfile -t files < <(cd "$root/chain/proto" && find . -name '*.proto' | sed 's|^\./||' | sort)
protoc "${includes[@]}" \
  --plugin=protoc-gen-ts_proto="$root/node_modules/.bin/protoc-gen-ts_proto" \
  --ts_proto_out="$out" \
  --ts_proto_opt=esModuleInterop=true,forceLong=bigint,useOptionals=messages,outputServices=false,importSuffix=.js,emitDefaultValues=json-methods,useDate=false,outputTypeRegistry=false,env=node \
  "${files[@]}"

if [[ "${1:-}" == "--check" ]]; then
  if ! diff -r "$out" "$root/src/proto" >/dev/null; then
    diff -r "$out" "$root/src/proto" | head -40 >&2
    echo "src/proto is out of date: run npm run proto:gen and commit the result" >&2
    exit 1
  fi
  echo "src/proto is up to date"
else
  echo "generated TypeScript into src/proto"
fi

if [[ -x "$root/chain/scripts/protocgen.sh" ]]; then
  "$root/chain/scripts/protocgen.sh" "${1:-}"
fi
