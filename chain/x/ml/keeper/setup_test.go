package keeper_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	sdkmath "cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/keeper"
	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

const denom = "umlc"

func TestMain(m *testing.M) {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount("mlc", "mlcpub")
	cfg.SetBech32PrefixForValidator("mlcvaloper", "mlcvaloperpub")
	cfg.SetBech32PrefixForConsensusNode("mlcvalcons", "mlcvalconspub")
	sdk.DefaultBondDenom = denom
	os.Exit(m.Run())
}

// mockBank keeps balances in the test context's (transient) store, so cache contexts discard its moves like
// they discard the real bank's, and checks that no balance goes negative.
type mockBank struct {
	key storetypes.StoreKey
	// ctx is the fixture's current context, used by test helpers that have none.
	ctx *sdk.Context
}

// now is the fixture's current context, for helpers called without one.
func (b *mockBank) now() context.Context { return *b.ctx }

func (b *mockBank) kv(ctx context.Context) storetypes.KVStore {
	if ctx == nil {
		ctx = *b.ctx
	}
	return sdk.UnwrapSDKContext(ctx).KVStore(b.key)
}

func (b *mockBank) get(ctx context.Context, a sdk.AccAddress) sdk.Coins {
	bz := b.kv(ctx).Get(a)
	coins, err := sdk.ParseCoinsNormalized(string(bz))
	if err != nil {
		panic(err)
	}
	return coins
}

func (b *mockBank) set(ctx context.Context, a sdk.AccAddress, c sdk.Coins) {
	if c.IsZero() {
		b.kv(ctx).Delete(a)
		return
	}
	b.kv(ctx).Set(a, []byte(c.String()))
}

// all returns every non-zero balance.
func (b *mockBank) all() []sdk.Coins {
	it := b.kv(b.now()).Iterator(nil, nil)
	defer func() { _ = it.Close() }()
	var out []sdk.Coins
	for ; it.Valid(); it.Next() {
		out = append(out, b.get(b.now(), it.Key()))
	}
	return out
}

func (b *mockBank) moveCtx(ctx context.Context, from, to sdk.AccAddress, amt sdk.Coins) error {
	have := b.get(ctx, from)
	left, neg := have.SafeSub(amt...)
	if neg {
		return fmt.Errorf("insufficient funds: %s < %s", have, amt)
	}
	b.set(ctx, from, left)
	b.set(ctx, to, b.get(ctx, to).Add(amt...))
	return nil
}

func (b *mockBank) move(from, to sdk.AccAddress, amt sdk.Coins) error {
	return b.moveCtx(b.now(), from, to, amt)
}

func (b *mockBank) SendCoinsFromAccountToModule(ctx context.Context, from sdk.AccAddress, mod string, amt sdk.Coins) error {
	return b.moveCtx(ctx, from, authtypes.NewModuleAddress(mod), amt)
}

func (b *mockBank) SendCoinsFromModuleToAccount(ctx context.Context, mod string, to sdk.AccAddress, amt sdk.Coins) error {
	return b.moveCtx(ctx, authtypes.NewModuleAddress(mod), to, amt)
}

func (b *mockBank) SendCoinsFromModuleToModule(ctx context.Context, from, to string, amt sdk.Coins) error {
	return b.moveCtx(ctx, authtypes.NewModuleAddress(from), authtypes.NewModuleAddress(to), amt)
}

func (b *mockBank) GetAllBalances(ctx context.Context, a sdk.AccAddress) sdk.Coins {
	return b.get(ctx, a)
}

// mint adds coins out of nothing (funding test accounts).
func (b *mockBank) mint(a sdk.AccAddress, amt sdk.Coins) {
	b.set(b.now(), a, b.get(b.now(), a).Add(amt...))
}

func (b *mockBank) balance(a sdk.AccAddress) sdkmath.Int { return b.get(b.now(), a).AmountOf(denom) }

// mockTransfer acts like ICS-20 sending a voucher back to its source: it burns the sender's coins and
// hands out sequences 1, 2, ...; fail makes the next sends fail before anything moves.
type mockTransfer struct {
	bank *mockBank
	sent []*transfertypes.MsgTransfer
	seq  uint64
	fail error
}

func (m *mockTransfer) Transfer(ctx context.Context, msg *transfertypes.MsgTransfer) (*transfertypes.MsgTransferResponse, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	sender, err := sdk.AccAddressFromBech32(msg.Sender)
	if err != nil {
		return nil, err
	}
	if err := m.bank.moveCtx(ctx, sender, burned, sdk.NewCoins(msg.Token)); err != nil {
		return nil, err
	}
	m.seq++
	m.sent = append(m.sent, msg)
	return &transfertypes.MsgTransferResponse{Sequence: m.seq}, nil
}

// burned is where the mock ICS-20 puts the vouchers it burns.
var burned = addr("ics20-burned")

type mockAuth struct{}

func (mockAuth) GetModuleAddress(name string) sdk.AccAddress { return authtypes.NewModuleAddress(name) }

// mockStaking knows validators by operator bytes.
type mockStaking struct {
	vals map[string]stakingtypes.Validator
}

func (s *mockStaking) GetValidator(_ context.Context, addr sdk.ValAddress) (stakingtypes.Validator, error) {
	v, ok := s.vals[string(addr)]
	if !ok {
		return v, stakingtypes.ErrNoValidatorFound
	}
	return v, nil
}

type fixture struct {
	t       *testing.T
	ctx     sdk.Context
	k       keeper.Keeper
	msgs    types.MsgServer
	queries types.QueryServer
	bank    *mockBank
	staking *mockStaking
	xfer    *mockTransfer
	acc     address.Codec
	val     address.Codec
	cdc     codec.Codec
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	bankKey := storetypes.NewTransientStoreKey("mock_bank")
	tctx := testutil.DefaultContextWithDB(t, key, bankKey)
	reg := codectypes.NewInterfaceRegistry()
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	f := &fixture{
		t: t, ctx: tctx.Ctx.WithBlockHeight(10), bank: &mockBank{key: bankKey},
		staking: &mockStaking{vals: map[string]stakingtypes.Validator{}},
		acc:     addresscodec.NewBech32Codec("mlc"), val: addresscodec.NewBech32Codec("mlcvaloper"), cdc: cdc,
	}
	f.bank.ctx = &f.ctx
	f.xfer = &mockTransfer{bank: f.bank}
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	f.k = keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), authority, f.acc, f.val, mockAuth{}, f.bank, f.staking, f.xfer)
	if err := f.k.InitGenesis(f.ctx, *types.DefaultGenesis()); err != nil {
		t.Fatal(err)
	}
	f.msgs = keeper.NewMsgServerImpl(f.k)
	f.queries = keeper.NewQueryServerImpl(f.k)
	return f
}

// addr derives a deterministic test account.
func addr(name string) sdk.AccAddress {
	h := sha256.Sum256([]byte(name))
	return sdk.AccAddress(h[:20])
}

func (f *fixture) fund(a sdk.AccAddress, amount int64) {
	f.bank.mint(a, sdk.NewCoins(sdk.NewInt64Coin(denom, amount)))
}

// addValidator registers a validator with operator bytes = addr(name) and returns its valoper.
func (f *fixture) addValidator(name string, status stakingtypes.BondStatus) string {
	op := sdk.ValAddress(addr(name))
	s, _ := f.val.BytesToString(op)
	f.staking.vals[string(op)] = stakingtypes.Validator{OperatorAddress: s, Status: status}
	return s
}

// addExecutor makes a bonded validator and registers its executor account addr(name+"/exec").
func (f *fixture) addExecutor(name string, devices uint32, models ...string) (valoper string, executor string) {
	f.t.Helper()
	valoper = f.addValidator(name, stakingtypes.Bonded)
	executor = addr(name + "/exec").String()
	f.register(valoper, executor, devices, models...)
	return valoper, executor
}

// register proposes executor for valoper and accepts it as the executor account.
func (f *fixture) register(valoper, executor string, devices uint32, models ...string) {
	f.t.Helper()
	_, err := f.msgs.RegisterExecutor(f.ctx, &types.MsgRegisterExecutor{
		Operator: valoper, Executor: executor, EncryptionPubkey: make([]byte, 32), Models: models, Devices: devices,
	})
	if err != nil {
		f.t.Fatalf("propose executor %s for %s: %v", executor, valoper, err)
	}
	if _, err := f.msgs.AcceptExecutor(f.ctx, &types.MsgAcceptExecutor{Executor: executor, Operator: valoper}); err != nil {
		f.t.Fatalf("accept executor %s for %s: %v", executor, valoper, err)
	}
}

func imageMsg(creator sdk.AccAddress) *types.MsgGenerateImage {
	return &types.MsgGenerateImage{
		Creator: creator.String(), Prompt: "a lighthouse at dusk", Model: "tiny-sd", Width: 64, Height: 64, Steps: 4,
		GuidanceScale: "7.5", Scheduler: "euler", Seed: 42, NumImages: 1, MaxFee: sdk.NewInt64Coin(denom, 1000),
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (f *fixture) job(id uint64) types.Job {
	f.t.Helper()
	j, err := f.k.GetJob(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

// hasEvent reports whether an event of type typ with attribute key=value was emitted.
func (f *fixture) hasEvent(typ, key, value string) bool {
	for _, e := range f.ctx.EventManager().Events() {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key && a.Value == value {
				return true
			}
		}
	}
	return false
}

// endBlock advances to height h and runs the EndBlocker there.
func (f *fixture) endBlock(h int64) {
	f.t.Helper()
	f.ctx = f.ctx.WithBlockHeight(h)
	if err := f.k.EndBlocker(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func collectionsJoin(h int64, id uint64) collections.Pair[int64, uint64] {
	return collections.Join(h, id)
}

func codecFor(reg codectypes.InterfaceRegistry) codec.Codec { return codec.NewProtoCodec(reg) }

func formatUint(v uint64) string { return fmt.Sprintf("%d", v) }
