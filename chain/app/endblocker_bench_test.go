package app

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/collections"
	"cosmossdk.io/log"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	ibctesting "github.com/cosmos/ibc-go/v10/testing"

	mlkeeper "github.com/lunc-ml/lunc-ml/chain/x/ml/keeper"
	mltypes "github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// burstRun is one chain's blocks around a burst of simultaneous deadlines.
type burstRun struct {
	normal   []time.Duration // blocks with nothing due (same state: every job pending)
	burst    []time.Duration // blocks from the first due block until no job is pending
	worstAt  int             // index in burst of the slowest block
	leftOver int
}

// runBurst builds a real lunc-mld app (ibc-go's in-process test chain: real staking, bank and IAVL stores,
// FinalizeBlock and Commit), registers an executor for each validator, creates `jobs` jobs in one block so all
// their deadlines fall together, and times every block (FinalizeBlock + Commit, as ibctesting's NextBlock
// runs them) before the deadline (normal) and from the deadline until every job has expired (burst).
func runBurst(t *testing.T, jobs int, maxPerBlock uint32) burstRun {
	t.Helper()
	dir := t.TempDir()
	coord := ibctesting.NewCustomAppCoordinator(t, 1, func() (ibctesting.TestingApp, map[string]json.RawMessage) {
		a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(dir))
		return ibcTestApp{a}, a.DefaultGenesis()
	})
	chain := coord.GetChain(ibctesting.GetChainID(1))
	ml := chain.App.(ibcTestApp).App
	const normalBlocks = 12
	ctx := chain.GetContext()
	p := mltypes.DefaultParams()
	p.FeeMinimums = sdk.NewCoins(sdk.NewInt64Coin(sdk.DefaultBondDenom, 1000))
	p.MinFee = sdk.Coin{}
	p.JobTimeoutBlocks = normalBlocks + 1
	p.MaxExpirationsPerBlock = maxPerBlock
	if err := ml.MLKeeper.Params.Set(ctx, p); err != nil {
		t.Fatal(err)
	}
	msgs := mlkeeper.NewMsgServerImpl(ml.MLKeeper)
	for i, v := range chain.Vals.Validators {
		op := sdk.ValAddress(v.Address).String()
		exec := sdk.AccAddress([]byte(fmt.Sprintf("executor-account-%03d", i))).String()
		if _, err := msgs.RegisterExecutor(ctx, &mltypes.MsgRegisterExecutor{
			Operator: op, Executor: exec, EncryptionPubkey: make([]byte, 32), Models: []string{"tiny-chat"}, Devices: 1,
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := msgs.AcceptExecutor(ctx, &mltypes.MsgAcceptExecutor{Executor: exec, Operator: op}); err != nil {
			t.Fatal(err)
		}
	}
	user := chain.SenderAccount.GetAddress().String()
	for i := 0; i < jobs; i++ {
		if _, err := msgs.Chat(ctx, &mltypes.MsgChat{Creator: user, Prompt: "hi " + strconv.Itoa(i), Model: "tiny-chat", MaxTokens: 8, MaxFee: sdk.NewInt64Coin(sdk.DefaultBondDenom, 1000)}); err != nil {
			t.Fatal(err)
		}
	}
	chain.NextBlock() // the block that holds the jobs
	var r burstRun
	pending := func() int {
		n := 0
		rng := collections.NewPrefixedPairRange[int32, uint64](int32(mltypes.JOB_STATUS_PENDING))
		_ = ml.MLKeeper.JobsByStatus.Walk(chain.GetContext(), rng, func(collections.Pair[int32, uint64]) (bool, error) {
			n++
			return false, nil
		})
		return n
	}
	timed := func() time.Duration {
		start := time.Now()
		chain.NextBlock()
		return time.Since(start)
	}
	for i := 0; i < normalBlocks-1; i++ {
		r.normal = append(r.normal, timed())
	}
	if n := pending(); n != jobs {
		t.Fatalf("%d jobs pending before the deadline, want %d", n, jobs)
	}
	// First misses reassign, second misses expire: 2 x jobs handlings in all.
	for i := 0; i < 4*jobs/int(maxPerBlock)+4*normalBlocks && pending() > 0; i++ {
		r.burst = append(r.burst, timed())
	}
	r.leftOver = pending()
	for i, d := range r.burst {
		if d > r.burst[r.worstAt] {
			r.worstAt = i
		}
	}
	return r
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// timeoutCommit is what `lunc-mld init` writes (cmd/lunc-mld/cmd/root.go): every block interval is at least
// this plus the block's execution, so it is the fixed part of the interval model below.
const timeoutCommit = 500 * time.Millisecond

// TestEndBlockerBurstBench is the bench/endblocker.sh measurement (skipped unless LUNC_ML_BENCH=1): 5,000 jobs
// whose deadlines fall in the same block, with the default max_expirations_per_block and with the cap lifted
// (every due job in one block, as before the cap existed). For each it prints the execution time
// (FinalizeBlock + Commit) of the slowest block against the median normal block of the same run, and the block
// interval ratio with the node's 500 ms timeout_commit: (timeout_commit + worst) / (timeout_commit + normal).
// An empty block executes in about a millisecond in process, so the execution ratio of any block that does
// work is large; the goal (no block interval over 2x normal) is judged on the interval.
func TestEndBlockerBurstBench(t *testing.T) {
	if os.Getenv("LUNC_ML_BENCH") != "1" {
		t.Skip("benchmark: run bench/endblocker.sh (LUNC_ML_BENCH=1)")
	}
	jobs := 5000
	if s := os.Getenv("LUNC_ML_BENCH_JOBS"); s != "" {
		jobs, _ = strconv.Atoi(s)
	}
	report := func(name string, cap uint32) float64 {
		r := runBurst(t, jobs, cap)
		if r.leftOver != 0 {
			t.Fatalf("%s: %d jobs still pending after %d blocks", name, r.leftOver, len(r.burst))
		}
		normal := median(r.normal)
		worst := r.burst[r.worstAt]
		interval := float64(timeoutCommit+worst) / float64(timeoutCommit+normal)
		fmt.Printf("%s (jobs=%d, max_expirations_per_block=%d): normal block %.2f ms (median of %d); %d burst blocks, median %.2f ms, worst %.2f ms (burst block %d); execution worst/normal %.1fx; block interval worst/normal %.2fx\n",
			name, jobs, cap, ms(normal), len(r.normal), len(r.burst), ms(median(r.burst)), ms(worst), r.worstAt+1, float64(worst)/float64(normal), interval)
		if os.Getenv("LUNC_ML_BENCH_VERBOSE") == "1" {
			for i, d := range r.burst {
				fmt.Printf("  burst block %2d: %.2f ms\n", i+1, ms(d))
			}
		}
		return interval
	}
	capped := report("capped", mltypes.DefaultMaxExpirationsPerBlock)
	lifted := report("cap lifted", uint32(2*jobs))
	fmt.Printf("RESULT block interval worst/normal: %.2fx with the default cap (goal <= 2x), %.2fx with the cap lifted\n", capped, lifted)
	if capped > 2 {
		t.Errorf("worst block interval is %.2fx a normal one, over the 2x goal", capped)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
