package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

const (
	// ModuleName of the intertx module (no store of its own).
	ModuleName = "intertx"
)

// DefaultRelativeTimeout is the packet timeout of MsgSubmitTx, relative to the controller's block time:
// 10 minutes (the legacy intertx module used 1 minute; devnet relayers may be restarted in between).
const DefaultRelativeTimeout uint64 = 10 * 60 * 1_000_000_000

var (
	_ sdk.Msg                            = (*MsgRegisterAccount)(nil)
	_ sdk.Msg                            = (*MsgSubmitTx)(nil)
	_ codectypes.UnpackInterfacesMessage = (*MsgSubmitTx)(nil)
)

// RegisterLegacyAminoCodec registers nothing: intertx messages are signed with SIGN_MODE_DIRECT (their Any has
// no amino form), as in the legacy module.
func RegisterLegacyAminoCodec(*codec.LegacyAmino) {}

// RegisterInterfaces registers the messages and the Msg service.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil), &MsgRegisterAccount{}, &MsgSubmitTx{})
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}

// UnpackInterfaces resolves the wrapped sdk.Msg so GetCachedValue works after decoding.
func (m *MsgSubmitTx) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	if m.Msg == nil {
		return nil
	}
	var msg sdk.Msg
	return unpacker.UnpackAny(m.Msg, &msg)
}
