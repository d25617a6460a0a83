#!/usr/bin/env bash
# x/ml EndBlocker under a burst of deadlines: 5,000 jobs expiring together on an in-process lunc-mld app
# (real staking, bank, IAVL; FinalizeBlock + Commit timed per block), with the default
# max_expirations_per_block and with the cap lifted. Prints the worst block against a normal block of the same
# run; exits non-zero when the worst block interval is over 2x normal.
# Usage: bench/endblocker.sh [jobs]   (LUNC_ML_BENCH_VERBOSE=1 lists every burst block)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../chain"
LUNC_ML_BENCH=1 LUNC_ML_BENCH_JOBS="${1:-5000}" \
  go test -run '^TestEndBlockerBurstBench$' -count=1 -v -timeout 20m ./app/ | grep -v '^=== RUN\|^--- \|^PASS$\|^ok '
