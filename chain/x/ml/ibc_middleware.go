package ml

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	transfertypes "github.com/cosmos/ibc-go/v10/modules/apps/transfer/types"
	channeltypes "github.com/cosmos/ibc-go/v10/modules/core/04-channel/types"
	porttypes "github.com/cosmos/ibc-go/v10/modules/core/05-port/types"

	"github.com/lunc-ml/lunc-ml/chain/x/ml/keeper"
)

// TransferMiddleware wraps the ICS-20 transfer IBC module so x/ml learns how its flow transfers end. Every
// callback goes to the transfer module first; after an acknowledgement or timeout that the transfer module
// accepted (and, on failure, refunded to the flows account), the keeper settles the flow if the packet is
// one of its own. Packets of other senders pass through untouched.
type TransferMiddleware struct {
	porttypes.IBCModule
	keeper keeper.Keeper
}

var _ porttypes.IBCModule = TransferMiddleware{}

// NewTransferMiddleware wraps app, the transfer module's IBCModule.
func NewTransferMiddleware(app porttypes.IBCModule, k keeper.Keeper) TransferMiddleware {
	return TransferMiddleware{IBCModule: app, keeper: k}
}

// OnAcknowledgementPacket lets ICS-20 handle the ack (refunding on an error ack), then settles a flow.
func (m TransferMiddleware) OnAcknowledgementPacket(
	ctx sdk.Context, channelVersion string, packet channeltypes.Packet, acknowledgement []byte, relayer sdk.AccAddress,
) error {
	if err := m.IBCModule.OnAcknowledgementPacket(ctx, channelVersion, packet, acknowledgement, relayer); err != nil {
		return err
	}
	// The transfer module accepted these bytes, so they parse as its acknowledgement.
	var ack channeltypes.Acknowledgement
	if err := transfertypes.ModuleCdc.UnmarshalJSON(acknowledgement, &ack); err != nil {
		return err
	}
	ackErr := ""
	if !ack.Success() {
		ackErr = ack.GetError()
		if ackErr == "" {
			ackErr = "error acknowledgement"
		}
	}
	return m.keeper.OnFlowPacketDone(ctx, packet.SourcePort, packet.SourceChannel, packet.Sequence, ackErr, false)
}

// OnTimeoutPacket lets ICS-20 refund the timed-out transfer, then returns a flow's amount to the accumulator.
func (m TransferMiddleware) OnTimeoutPacket(
	ctx sdk.Context, channelVersion string, packet channeltypes.Packet, relayer sdk.AccAddress,
) error {
	if err := m.IBCModule.OnTimeoutPacket(ctx, channelVersion, packet, relayer); err != nil {
		return err
	}
	return m.keeper.OnFlowPacketDone(ctx, packet.SourcePort, packet.SourceChannel, packet.Sequence, "", true)
}
