# Shared helpers of the launch kit scripts (sourced, not run). JSON goes through jq when it is installed, else
# through node, with the same operations and the same output, so an operator needs one of the two.
# LAUNCH_JSON_TOOL=jq|node forces one (the kit's test runs the checklist with both).

LAUNCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "error: $*" >&2
  exit 1
}

json_tool() {
  local t=${LAUNCH_JSON_TOOL:-}
  if [[ -z $t ]]; then
    if command -v jq >/dev/null 2>&1; then t=jq; elif command -v node >/dev/null 2>&1; then t=node; else die "need jq or node for JSON"; fi
  fi
  echo "$t"
}

# jq programs, each with its node twin below. Paths are dot paths ("app_state.ml.params", "gen_txs.0");
# scalars print raw, objects and arrays as compact JSON.
JQ_DEFS='
def p($s): $s | if . == "" then [] else split(".") | map(tonumber? // .) end;
def out: if type == "string" then . elif type == "object" or type == "array" then tojson else tostring end;
def zero($w): if $w|type == "string" then "" elif $w|type == "boolean" then false elif $w|type == "number" then 0 elif $w|type == "array" then [] else null end;
def secs: if type == "string" and . != "" and test("^([0-9]+h)?([0-9]+m)?([0-9.]+s)?$")
  then capture("^((?<h>[0-9]+)h)?((?<m>[0-9]+)m)?((?<s>[0-9.]+)s)?$") | ((.h // "0") | tonumber) * 3600 + ((.m // "0") | tonumber) * 60 + ((.s // "0") | tonumber)
  else . end;
def leaves($at): if type == "object" then to_entries[] | .key as $k | .value | leaves($at + [$k]) else [$at, .] end;
'

JS_OPS='
const fs = require("fs");
const [op, file, ...a] = process.argv.slice(1);
const read = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
const p = (s) => (s === "" ? [] : s.split(".").map((x) => (/^\d+$/.test(x) ? Number(x) : x)));
const get = (o, path) => path.reduce((v, k) => (v === null || v === undefined ? null : v[k] === undefined ? null : v[k]), o);
const out = (v) => (typeof v === "string" ? v : v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const merge = (x, y) => {
  if (!isObj(x) || !isObj(y)) return y;
  const r = { ...x };
  for (const k of Object.keys(y)) r[k] = k in x ? merge(x[k], y[k]) : y[k];
  return r;
};
const zero = (w) => (typeof w === "string" ? "" : typeof w === "boolean" ? false : typeof w === "number" ? 0 : Array.isArray(w) ? [] : null);
const leaves = (v, at, acc) => {
  if (isObj(v)) for (const k of Object.keys(v)) leaves(v[k], [...at, k], acc);
  else acc.push([at, v]);
  return acc;
};
const secs = (v) => {
  const m = typeof v === "string" && v !== "" ? /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(v) : null;
  return m ? Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0) : v;
};
const eq = (x, y) => JSON.stringify(secs(x)) === JSON.stringify(secs(y));
const lines = (xs) => xs.forEach((x) => console.log(x));
switch (op) {
  case "get": console.log(out(get(read(file), p(a[0])))); break;
  case "len": { const v = get(read(file), p(a[0])); console.log(Array.isArray(v) ? v.length : 0); break; }
  case "each": { const v = get(read(file), p(a[0])) || []; lines(v.map((e) => out(get(e, p(a[1]))))); break; }
  case "merge": { const d = read(file); fs.writeFileSync(file, JSON.stringify(merge(d, get(read(a[0]), p(a[1]))), null, 2) + "\n"); break; }
  case "diff": {
    const d = get(read(file), p(a[2] || ""));
    for (const [path, want] of leaves(get(read(a[0]), p(a[1])), [], [])) {
      let got = get(d, path);
      if (got === null) got = zero(want);
      if (!eq(got, want)) console.log([path.join("."), out(got), out(want)].join("\x1f"));
    }
    break;
  }
  case "amounts": lines((read(file).app_state.bank.balances || []).flatMap((b) => b.coins).filter((c) => c.denom === a[0]).map((c) => c.amount)); break;
  case "toml": { const t = get(read(file), p(a[0])) || {}; for (const s of Object.keys(t)) for (const k of Object.keys(t[s])) console.log([s, k, JSON.stringify(t[s][k])].join("\x1f")); break; }
  default: throw new Error("unknown op " + op);
}
'

# json OP FILE ARGS...
#   get FILE PATH            value at PATH ("null" when absent)
#   len FILE PATH            length of the array at PATH (0 when absent)
#   each FILE PATH SUB       SUB of each element of the array at PATH, one a line
#   merge FILE PFILE PPATH   deep-merges PFILE's value at PPATH into FILE (objects key by key, arrays replaced)
#   diff FILE PFILE PPATH [FPATH]  leaves of PFILE at PPATH that FILE (at FPATH) does not hold: "path<US>got<US>want";
#                            an absent value counts as the zero of the wanted type (protobuf JSON leaves defaults out),
#                            and durations compare as seconds ("86400s" in genesis is "24h0m0s" in some query output)
#                            (<US> is the unit separator \x1f: fields may be empty, which tabs would collapse)
#   amounts FILE DENOM       genesis bank balance amounts in DENOM, one a line
#   toml FILE PATH           "section<US>key<US>json value" for each {section: {key: value}} at PATH
json() {
  local op=$1 file=$2
  shift 2
  if [[ $(json_tool) == node ]]; then
    node -e "$JS_OPS" "$op" "$file" "$@"
    return
  fi
  case $op in
  get) jq -r --arg a "$1" "$JQ_DEFS getpath(p(\$a)) | out" "$file" ;;
  len) jq -r --arg a "$1" "$JQ_DEFS getpath(p(\$a)) | if type == \"array\" then length else 0 end" "$file" ;;
  each) jq -r --arg a "$1" --arg b "$2" "$JQ_DEFS (getpath(p(\$a)) // [])[] | getpath(p(\$b)) | out" "$file" ;;
  merge)
    local tmp
    tmp=$(mktemp "$file.XXXXXX")
    jq --slurpfile k "$1" --arg a "$2" "$JQ_DEFS . * (\$k[0] | getpath(p(\$a)))" "$file" >"$tmp" && mv "$tmp" "$file"
    ;;
  diff)
    jq -r --slurpfile k "$1" --arg a "$2" --arg f "${3:-}" "$JQ_DEFS getpath(p(\$f)) as \$d
      | \$k[0] | getpath(p(\$a)) | leaves([]) | .[0] as \$path | .[1] as \$want
      | (\$d | getpath(\$path)) as \$g | (if \$g == null then zero(\$want) else \$g end) as \$got
      | select((\$got | secs) != (\$want | secs)) | [(\$path | map(tostring) | join(\".\")), (\$got | out), (\$want | out)] | join(\"\u001f\")" "$file"
    ;;
  amounts) jq -r --arg d "$1" '(.app_state.bank.balances // [])[].coins[] | select(.denom == $d) | .amount' "$file" ;;
  toml) jq -r --arg a "$1" "$JQ_DEFS (getpath(p(\$a)) // {}) | to_entries[] | .key as \$s | .value | to_entries[] | [\$s, .key, (.value | tojson)] | join(\"\u001f\")" "$file" ;;
  *) die "unknown json op $op" ;;
  esac
}

# toml_set FILE SECTION KEY VALUE: replaces `KEY = ...` inside [SECTION] ("" = before the first section).
# VALUE is written as given (already TOML: "quoted" strings, bare booleans and numbers). Fails when the key is
# not there, so a renamed setting is noticed instead of silently ignored.
toml_set() {
  local file=$1 section=$2 key=$3 value=$4 tmp
  tmp=$(mktemp "$file.XXXXXX")
  if awk -v s="$section" -v k="$key" -v v="$value" '
    BEGIN { cur = ""; done = 0 }
    /^\[[^]]*\][ \t]*$/ { cur = $0; sub(/^\[/, "", cur); sub(/\][ \t]*$/, "", cur) }
    !done && cur == s && index($0, k " =") == 1 { print k " = " v; done = 1; next }
    { print }
    END { exit done ? 0 : 3 }' "$file" >"$tmp"; then
    mv "$tmp" "$file"
  else
    rm -f "$tmp"
    die "$file: no key '$key' in section [$section]"
  fi
}

# The ICS-20 denom of BASE received over CHANNEL on port transfer: ibc/ + uppercase hex sha256.
ibc_denom() {
  local h
  h=$(printf 'transfer/%s/%s' "$1" "$2" | sha256sum | cut -d' ' -f1)
  echo "ibc/${h^^}"
}

sha256_of() {
  sha256sum "$1" | cut -d' ' -f1
}
