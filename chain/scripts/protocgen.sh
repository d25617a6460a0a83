#!/usr/bin/env bash
# Regenerates the gogoproto Go code of chain/proto into chain/x/*/types. Deterministic and re-runnable from any
# cwd: plugin and include paths come from the versions pinned in chain/go.mod. CI re-runs it and checks
# `git diff --exit-code`.
set -euo pipefail

CHAIN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$CHAIN_DIR"

command -v protoc >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
command -v go >/dev/null || { echo "go not found" >&2; exit 1; }

GOGOPROTO_VERSION="$(go list -m -f '{{.Version}}' github.com/cosmos/gogoproto)"
TOOLS_BIN="$CHAIN_DIR/build/bin"
mkdir -p "$TOOLS_BIN"
stamp="$TOOLS_BIN/.protoc-gen-gocosmos.$GOGOPROTO_VERSION"
if [[ ! -x "$TOOLS_BIN/protoc-gen-gocosmos" || ! -f "$stamp" ]]; then
  GOBIN="$TOOLS_BIN" go install "github.com/cosmos/gogoproto/protoc-gen-gocosmos@$GOGOPROTO_VERSION"
  rm -f "$TOOLS_BIN"/.protoc-gen-gocosmos.*; touch "$stamp"
fi

go mod download github.com/cosmos/gogoproto github.com/cosmos/cosmos-proto github.com/cosmos/cosmos-sdk
GOGO_DIR="$(go list -m -f '{{.Dir}}' github.com/cosmos/gogoproto)"
COSMOS_PROTO_DIR="$(go list -m -f '{{.Dir}}' github.com/cosmos/cosmos-proto)/proto"
SDK_PROTO_DIR="$(go list -m -f '{{.Dir}}' github.com/cosmos/cosmos-sdk)/proto"
# google/protobuf/*.proto: protoc's own include dir (apt: /usr/include), else gogoproto's copy.
PROTOC_INC=""
for d in /usr/include /usr/local/include "$GOGO_DIR/protobuf"; do
  if [[ -f "$d/google/protobuf/any.proto" ]]; then PROTOC_INC="$d"; break; fi
done

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

gen() {
  protoc \
    --plugin=protoc-gen-gocosmos="$TOOLS_BIN/protoc-gen-gocosmos" \
    -I proto -I "$SDK_PROTO_DIR" -I "$GOGO_DIR" -I "$COSMOS_PROTO_DIR" ${PROTOC_INC:+-I "$PROTOC_INC"} \
    --gocosmos_out="plugins=grpc,Mgoogle/protobuf/any.proto=github.com/cosmos/gogoproto/types/any:$OUT" \
    "$@"
}

gen proto/lunc/ml/v1/*.proto
gen proto/intertx/*.proto

MODULE="github.com/lunc-ml/lunc-ml/chain"
for pkg in x/ml/types x/intertx/types; do
  mkdir -p "$CHAIN_DIR/$pkg"
  rm -f "$CHAIN_DIR/$pkg"/*.pb.go
  cp "$OUT/$MODULE/$pkg"/*.pb.go "$CHAIN_DIR/$pkg/"
done
echo "generated: $(cd "$CHAIN_DIR" && ls x/ml/types/*.pb.go x/intertx/types/*.pb.go | tr '\n' ' ')"
