package keeper

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/types"
)

// FlowTimeout is how long a flow transfer may take to be received on the LUNC chain before it times out
// (and its amount returns to the accumulator).
const FlowTimeout = 10 * time.Minute

// flowShares are the shares a flow sends, in the order it sends them.
var flowShares = []types.FlowShare{types.FLOW_SHARE_BURN, types.FLOW_SHARE_COMMUNITY}

// addAmount adds delta (may be negative) to m[key], removing the entry when it reaches zero. A result below
// zero is an accounting bug: it is refused rather than stored.
func addAmount[K any](ctx context.Context, m collections.Map[K, math.Int], key K, delta math.Int) error {
	cur, err := m.Get(ctx, key)
	if isNotFound(err) {
		cur, err = math.ZeroInt(), nil
	}
	if err != nil {
		return err
	}
	next := cur.Add(delta)
	switch {
	case next.IsNegative():
		return fmt.Errorf("x/ml accounting: %v would go below zero (%s + %s)", key, cur, delta)
	case next.IsZero():
		return m.Remove(ctx, key)
	default:
		return m.Set(ctx, key, next)
	}
}

func getAmount[K any](ctx context.Context, m collections.Map[K, math.Int], key K) (math.Int, error) {
	v, err := m.Get(ctx, key)
	if isNotFound(err) {
		return math.ZeroInt(), nil
	}
	return v, err
}

// escrow moves a new job's fee into the module account and counts it as escrowed.
func (k Keeper) escrow(ctx context.Context, from sdk.AccAddress, fee sdk.Coin) error {
	if err := k.bank.SendCoinsFromAccountToModule(ctx, from, types.ModuleName, sdk.NewCoins(fee)); err != nil {
		return errorsmod.Wrap(err, "escrowing max_fee")
	}
	return addAmount(ctx, k.Escrowed, fee.Denom, fee.Amount)
}

// refund returns the escrowed fee to the requester.
func (k Keeper) refund(ctx context.Context, job types.Job) error {
	addr, err := k.addressCodec.StringToBytes(job.Requester)
	if err != nil {
		return err
	}
	if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, sdk.NewCoins(job.Fee)); err != nil {
		return errorsmod.Wrap(err, "refunding the requester")
	}
	return addAmount(ctx, k.Escrowed, job.Fee.Denom, job.Fee.Amount.Neg())
}

// refundExpired returns an expired job's fee to the requester less Params.expiry_fee_share of it, which goes to
// the fee collector (paid out by x/distribution to the validators and delegators whose blocks carried the job).
// Both parts leave the escrow account, so the balance invariant is unchanged. Returns the refunded coin.
func (k Keeper) refundExpired(ctx context.Context, p types.Params, job types.Job) (sdk.Coin, error) {
	refund, retained, err := p.SplitExpired(job.Fee.Amount)
	if err != nil {
		return sdk.Coin{}, err
	}
	addr, err := k.addressCodec.StringToBytes(job.Requester)
	if err != nil {
		return sdk.Coin{}, err
	}
	if refund.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, sdk.NewCoins(sdk.NewCoin(job.Fee.Denom, refund))); err != nil {
			return sdk.Coin{}, errorsmod.Wrap(err, "refunding the requester")
		}
	}
	if retained.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, authtypes.FeeCollectorName, sdk.NewCoins(sdk.NewCoin(job.Fee.Denom, retained))); err != nil {
			return sdk.Coin{}, errorsmod.Wrap(err, "paying the expiry fee share to the fee collector")
		}
	}
	return sdk.NewCoin(job.Fee.Denom, refund), addAmount(ctx, k.Escrowed, job.Fee.Denom, job.Fee.Amount.Neg())
}

// Settlement is how a completed job's fee was shared.
type Settlement struct {
	Executor, Burn, Community math.Int
}

// payCompleted settles a completed job's fee. A fee in the LUNC denom of the current params is split by
// Params.fee_split (burn and community stay in the module for the next flow); any other denom goes to the
// executor whole.
func (k Keeper) payCompleted(ctx context.Context, p types.Params, job types.Job, executor sdk.AccAddress) (Settlement, error) {
	fee := job.Fee
	s := Settlement{Executor: fee.Amount, Burn: math.ZeroInt(), Community: math.ZeroInt()}
	if lunc := p.LuncDenom(); lunc != "" && fee.Denom == lunc {
		shares, err := p.FeeSplit.ParseShares()
		if err != nil {
			return s, err
		}
		s.Executor, s.Burn, s.Community = shares.SplitFee(fee.Amount)
	}
	if err := addAmount(ctx, k.Escrowed, fee.Denom, fee.Amount.Neg()); err != nil {
		return s, err
	}
	if s.Executor.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, executor, sdk.NewCoins(sdk.NewCoin(fee.Denom, s.Executor))); err != nil {
			return s, errorsmod.Wrap(err, "paying the executor")
		}
		if err := addAmount(ctx, k.PaidToExecutors, fee.Denom, s.Executor); err != nil {
			return s, err
		}
	}
	for i, amt := range []math.Int{s.Burn, s.Community} {
		if amt.IsPositive() {
			if err := addAmount(ctx, k.Accumulated, collections.Join(int32(flowShares[i]), fee.Denom), amt); err != nil {
				return s, err
			}
		}
	}
	return s, nil
}

// flowsDue reports whether this block sends the accumulated shares: every flow_interval blocks, when a LUNC
// channel is set.
func flowsDue(p types.Params, height int64) bool {
	return p.LuncChannel != "" && p.FlowInterval > 0 && height > 0 && height%p.FlowInterval == 0
}

// SendFlows sends each non-zero accumulated share in the current LUNC denom to its LUNC address over
// lunc_channel: at most one ICS-20 transfer per share, so the work per block is bounded. It never returns an
// error: a share that cannot be sent stays in the accumulator and an ml_flow_failed event says why. Shares
// accumulated in an older LUNC denom (before lunc_channel changed) are not sent over a channel they did not
// come from; they stay visible in the flows query.
func (k Keeper) SendFlows(ctx context.Context, p types.Params) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	denom := p.LuncDenom()
	if denom == "" {
		return
	}
	for _, share := range flowShares {
		amt, err := getAmount(ctx, k.Accumulated, collections.Join(int32(share), denom))
		if err != nil {
			k.emitFlowFailed(sdkCtx, "send", share, sdk.Coin{Denom: denom, Amount: math.ZeroInt()}, "", p.LuncChannel, err)
			continue
		}
		if !amt.IsPositive() {
			continue
		}
		coin := sdk.NewCoin(denom, amt)
		receiver := p.BurnAddress
		if share == types.FLOW_SHARE_COMMUNITY {
			receiver = p.CommunityAddress
		}
		if receiver == "" {
			k.emitFlowFailed(sdkCtx, "send", share, coin, receiver, p.LuncChannel, fmt.Errorf("no %s address is set", types.ShareName(share)))
			continue
		}
		// A cache context keeps a failed send from leaving half its writes (coins moved, no packet).
		cacheCtx, write := sdkCtx.CacheContext()
		seq, err := k.sendShare(cacheCtx, p.LuncChannel, share, coin, receiver)
		if err != nil {
			k.emitFlowFailed(sdkCtx, "send", share, coin, receiver, p.LuncChannel, err)
			k.Logger(ctx).Error("flow not sent", "share", types.ShareName(share), "amount", coin, "err", err)
			continue
		}
		write()
		sdkCtx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeFlowSent,
			sdk.NewAttribute(types.AttributeKeyShare, types.ShareName(share)),
			sdk.NewAttribute(types.AttributeKeyAmount, coin.String()),
			sdk.NewAttribute(types.AttributeKeyReceiver, receiver),
			sdk.NewAttribute(types.AttributeKeyChannel, p.LuncChannel),
			sdk.NewAttribute(types.AttributeKeySequence, strconv.FormatUint(seq, 10)),
		))
	}
}

// sendShare moves one share from the escrow account to the flows account and sends it over ICS-20 from there
// (ICS-20 refuses blocked senders such as the escrow account), recording the packet as in flight.
func (k Keeper) sendShare(ctx sdk.Context, channel string, share types.FlowShare, coin sdk.Coin, receiver string) (uint64, error) {
	if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, types.FlowsAccountName, sdk.NewCoins(coin)); err != nil {
		return 0, err
	}
	sender, err := k.addressCodec.BytesToString(authtypes.NewModuleAddress(types.FlowsAccountName))
	if err != nil {
		return 0, err
	}
	res, err := k.transfer.Transfer(ctx, &transfertypes.MsgTransfer{
		SourcePort: types.TransferPort, SourceChannel: channel, Token: coin, Sender: sender, Receiver: receiver,
		TimeoutTimestamp: uint64(ctx.BlockTime().Add(FlowTimeout).UnixNano()),
		Memo:             "lunc-ml " + types.ShareName(share) + " share",
	})
	if err != nil {
		return 0, err
	}
	if err := addAmount(ctx, k.Accumulated, collections.Join(int32(share), coin.Denom), coin.Amount.Neg()); err != nil {
		return 0, err
	}
	pkt := types.FlowPacket{Channel: channel, Sequence: res.Sequence, Share: share, Amount: coin, Receiver: receiver, SentHeight: ctx.BlockHeight()}
	return res.Sequence, k.InFlight.Set(ctx, collections.Join(channel, res.Sequence), pkt)
}

// OnFlowPacketDone settles a flow transfer once ICS-20 has handled its acknowledgement or timeout (called by
// the transfer middleware after the transfer module, so a refund is already in the flows account). A packet
// that is not a flow is ignored. Success: the amount counts as delivered to its receiver. Error ack or timeout
// (ackErr non-empty): the refunded amount goes back from the flows account to the escrow account and into
// the accumulator for the next flow.
func (k Keeper) OnFlowPacketDone(ctx sdk.Context, sourcePort, sourceChannel string, sequence uint64, ackErr string, timeout bool) error {
	if sourcePort != types.TransferPort {
		return nil
	}
	key := collections.Join(sourceChannel, sequence)
	pkt, err := k.InFlight.Get(ctx, key)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := k.InFlight.Remove(ctx, key); err != nil {
		return err
	}
	seqStr := strconv.FormatUint(sequence, 10)
	if ackErr == "" && !timeout {
		if err := addAmount(ctx, k.Delivered, collections.Join3(int32(pkt.Share), pkt.Receiver, pkt.Amount.Denom), pkt.Amount.Amount); err != nil {
			return err
		}
		ctx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeFlowAcked,
			sdk.NewAttribute(types.AttributeKeyShare, types.ShareName(pkt.Share)),
			sdk.NewAttribute(types.AttributeKeyAmount, pkt.Amount.String()),
			sdk.NewAttribute(types.AttributeKeyReceiver, pkt.Receiver),
			sdk.NewAttribute(types.AttributeKeyChannel, sourceChannel),
			sdk.NewAttribute(types.AttributeKeySequence, seqStr),
		))
		return nil
	}
	if err := k.bank.SendCoinsFromModuleToModule(ctx, types.FlowsAccountName, types.ModuleName, sdk.NewCoins(pkt.Amount)); err != nil {
		return errorsmod.Wrap(err, "returning a refunded flow to the escrow account")
	}
	if err := addAmount(ctx, k.Accumulated, collections.Join(int32(pkt.Share), pkt.Amount.Denom), pkt.Amount.Amount); err != nil {
		return err
	}
	stage, reason := "ack", ackErr
	if timeout {
		stage, reason = "timeout", "packet timed out"
	}
	ctx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeFlowFailed,
		sdk.NewAttribute(types.AttributeKeyStage, stage),
		sdk.NewAttribute(types.AttributeKeyShare, types.ShareName(pkt.Share)),
		sdk.NewAttribute(types.AttributeKeyAmount, pkt.Amount.String()),
		sdk.NewAttribute(types.AttributeKeyReceiver, pkt.Receiver),
		sdk.NewAttribute(types.AttributeKeyChannel, sourceChannel),
		sdk.NewAttribute(types.AttributeKeySequence, seqStr),
		sdk.NewAttribute(types.AttributeKeyReason, reason),
	))
	return nil
}

func (k Keeper) emitFlowFailed(ctx sdk.Context, stage string, share types.FlowShare, coin sdk.Coin, receiver, channel string, err error) {
	ctx.EventManager().EmitEvent(sdk.NewEvent(types.EventTypeFlowFailed,
		sdk.NewAttribute(types.AttributeKeyStage, stage),
		sdk.NewAttribute(types.AttributeKeyShare, types.ShareName(share)),
		sdk.NewAttribute(types.AttributeKeyAmount, coin.String()),
		sdk.NewAttribute(types.AttributeKeyReceiver, receiver),
		sdk.NewAttribute(types.AttributeKeyChannel, channel),
		sdk.NewAttribute(types.AttributeKeyReason, err.Error()),
	))
}

// FlowsReport computes the fee accounting of every denom, the transfers in flight and the deliveries.
func (k Keeper) FlowsReport(ctx context.Context) (*types.QueryFlowsResponse, error) {
	byDenom := map[string]*types.DenomFlows{}
	get := func(denom string) *types.DenomFlows {
		d, ok := byDenom[denom]
		if !ok {
			z := math.ZeroInt()
			d = &types.DenomFlows{Denom: denom, Escrowed: z, PaidToExecutors: z, AccumulatedBurn: z, AccumulatedCommunity: z,
				InFlightBurn: z, InFlightCommunity: z, DeliveredBurn: z, DeliveredCommunity: z, ModuleBalance: z}
			byDenom[denom] = d
		}
		return d
	}
	out := &types.QueryFlowsResponse{}
	if err := k.Escrowed.Walk(ctx, nil, func(denom string, v math.Int) (bool, error) {
		get(denom).Escrowed = v
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.PaidToExecutors.Walk(ctx, nil, func(denom string, v math.Int) (bool, error) {
		get(denom).PaidToExecutors = v
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Accumulated.Walk(ctx, nil, func(key collections.Pair[int32, string], v math.Int) (bool, error) {
		d := get(key.K2())
		if types.FlowShare(key.K1()) == types.FLOW_SHARE_BURN {
			d.AccumulatedBurn = d.AccumulatedBurn.Add(v)
		} else {
			d.AccumulatedCommunity = d.AccumulatedCommunity.Add(v)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.InFlight.Walk(ctx, nil, func(_ collections.Pair[string, uint64], pkt types.FlowPacket) (bool, error) {
		d := get(pkt.Amount.Denom)
		if pkt.Share == types.FLOW_SHARE_BURN {
			d.InFlightBurn = d.InFlightBurn.Add(pkt.Amount.Amount)
		} else {
			d.InFlightCommunity = d.InFlightCommunity.Add(pkt.Amount.Amount)
		}
		out.InFlight = append(out.InFlight, pkt)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Delivered.Walk(ctx, nil, func(key collections.Triple[int32, string, string], v math.Int) (bool, error) {
		share := types.FlowShare(key.K1())
		d := get(key.K3())
		if share == types.FLOW_SHARE_BURN {
			d.DeliveredBurn = d.DeliveredBurn.Add(v)
		} else {
			d.DeliveredCommunity = d.DeliveredCommunity.Add(v)
		}
		out.Delivered = append(out.Delivered, types.Delivery{Share: share, Receiver: key.K2(), Amount: sdk.NewCoin(key.K3(), v)})
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, c := range k.bank.GetAllBalances(ctx, authtypes.NewModuleAddress(types.ModuleName)) {
		get(c.Denom).ModuleBalance = c.Amount
	}
	denoms := make([]string, 0, len(byDenom))
	for d := range byDenom {
		denoms = append(denoms, d)
	}
	sort.Strings(denoms)
	for _, d := range denoms {
		out.Denoms = append(out.Denoms, *byDenom[d])
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	out.LuncDenom = p.LuncDenom()
	broken, err := k.CheckBalances(ctx)
	if err != nil {
		return nil, err
	}
	out.InvariantBroken = broken
	return out, nil
}

// CheckBalances is the x/ml money invariant. It returns "" when, in every denom, the escrow module account
// holds exactly the fees of the PENDING jobs plus the accumulated burn and community shares, and the escrowed
// counter equals the sum of the PENDING jobs' fees; otherwise a description of each difference. In-flight
// shares are in neither: ICS-20 burns a voucher sent back toward its source (and escrows any other denom) and
// a refund puts the amount back in the accumulator.
func (k Keeper) CheckBalances(ctx context.Context) (string, error) {
	pending := sdk.NewCoins()
	err := k.JobsByStatus.Walk(ctx,
		collections.NewPrefixedPairRange[int32, uint64](int32(types.JOB_STATUS_PENDING)),
		func(key collections.Pair[int32, uint64]) (bool, error) {
			j, err := k.Jobs.Get(ctx, key.K2())
			if err != nil {
				return true, err
			}
			pending = pending.Add(j.Fee)
			return false, nil
		})
	if err != nil {
		return "", err
	}
	counted := sdk.NewCoins()
	if err := k.Escrowed.Walk(ctx, nil, func(denom string, v math.Int) (bool, error) {
		counted = counted.Add(sdk.NewCoin(denom, v))
		return false, nil
	}); err != nil {
		return "", err
	}
	accumulated := sdk.NewCoins()
	if err := k.Accumulated.Walk(ctx, nil, func(key collections.Pair[int32, string], v math.Int) (bool, error) {
		accumulated = accumulated.Add(sdk.NewCoin(key.K2(), v))
		return false, nil
	}); err != nil {
		return "", err
	}
	var problems []string
	if !pending.Equal(counted) {
		problems = append(problems, fmt.Sprintf("escrowed counter %s != pending job fees %s", counted, pending))
	}
	want := pending.Add(accumulated...)
	have := k.bank.GetAllBalances(ctx, authtypes.NewModuleAddress(types.ModuleName))
	if !have.Equal(want) {
		problems = append(problems, fmt.Sprintf("module balance %s != pending job fees %s + accumulated %s", have, pending, accumulated))
	}
	return strings.Join(problems, "; "), nil
}

// BalancesInvariant is CheckBalances as an sdk.Invariant.
func BalancesInvariant(k Keeper) sdk.Invariant {
	return func(ctx sdk.Context) (string, bool) {
		broken, err := k.CheckBalances(ctx)
		if err != nil {
			return sdk.FormatInvariant(types.ModuleName, "balances", err.Error()), true
		}
		return sdk.FormatInvariant(types.ModuleName, "balances", broken), broken != ""
	}
}

// RegisterInvariants registers the x/ml invariants.
func RegisterInvariants(ir sdk.InvariantRegistry, k Keeper) {
	ir.RegisterRoute(types.ModuleName, "balances", BalancesInvariant(k))
}
