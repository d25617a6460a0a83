// Package keeper implements the intertx Msg service on top of the ibc-go ICS-27 controller.
package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	icacontrollerkeeper "github.com/cosmos/ibc-go/v10/modules/apps/27-interchain-accounts/controller/keeper"
	icacontrollertypes "github.com/cosmos/ibc-go/v10/modules/apps/27-interchain-accounts/controller/types"
	icatypes "github.com/cosmos/ibc-go/v10/modules/apps/27-interchain-accounts/types"

	"github.com/lunc-ml/lunc-ml/chain/x/intertx/types"
)

// Keeper forwards intertx messages to the ICA controller's own Msg service, so an account registered
// with intertx is the same one `tx interchain-accounts controller ...` sees (port icacontroller-<owner>).
type Keeper struct {
	cdc        codec.Codec
	controller icacontrollertypes.MsgServer
}

// NewKeeper wraps the ICA controller keeper.
func NewKeeper(cdc codec.Codec, ck *icacontrollerkeeper.Keeper) Keeper {
	return Keeper{cdc: cdc, controller: icacontrollerkeeper.NewMsgServerImpl(ck)}
}

type msgServer struct{ Keeper }

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the intertx Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k} }

// RegisterAccount opens an ICA channel (UNORDERED). An empty version lets the controller propose the default
// ics27-1 metadata (encoding proto3, tx_type sdk_multi_msg).
func (m msgServer) RegisterAccount(ctx context.Context, msg *types.MsgRegisterAccount) (*types.MsgRegisterAccountResponse, error) {
	res, err := m.controller.RegisterInterchainAccount(ctx, icacontrollertypes.NewMsgRegisterInterchainAccount(
		msg.ConnectionId, msg.Owner, msg.Version, 0 /* NONE: the controller uses UNORDERED */))
	if err != nil {
		return nil, err
	}
	return &types.MsgRegisterAccountResponse{ChannelId: res.ChannelId, PortId: res.PortId}, nil
}

// SubmitTx sends the one wrapped message as an EXECUTE_TX packet (CosmosTx proto3 bytes), timing out
// DefaultRelativeTimeout after the current block time.
func (m msgServer) SubmitTx(ctx context.Context, msg *types.MsgSubmitTx) (*types.MsgSubmitTxResponse, error) {
	if msg.Msg == nil {
		return nil, errorsmod.Wrap(sdkerrors.ErrInvalidRequest, "msg is required")
	}
	data, err := m.cdc.Marshal(&icatypes.CosmosTx{Messages: []*codectypes.Any{msg.Msg}})
	if err != nil {
		return nil, err
	}
	packet := icatypes.InterchainAccountPacketData{Type: icatypes.EXECUTE_TX, Data: data}
	if err := packet.ValidateBasic(); err != nil {
		return nil, err
	}
	res, err := m.controller.SendTx(ctx, icacontrollertypes.NewMsgSendTx(msg.Owner, msg.ConnectionId, types.DefaultRelativeTimeout, packet))
	if err != nil {
		return nil, err
	}
	return &types.MsgSubmitTxResponse{Sequence: res.Sequence}, nil
}
