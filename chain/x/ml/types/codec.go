package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names of the messages (used by amino-JSON signing).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgGenerateImage{}, "lunc-ml/MsgGenerateImage")
	legacy.RegisterAminoMsg(cdc, &MsgGenerateAudio{}, "lunc-ml/MsgGenerateAudio")
	legacy.RegisterAminoMsg(cdc, &MsgChat{}, "lunc-ml/MsgChat")
	legacy.RegisterAminoMsg(cdc, &MsgRegisterExecutor{}, "lunc-ml/MsgRegisterExecutor")
	legacy.RegisterAminoMsg(cdc, &MsgAcceptExecutor{}, "lunc-ml/MsgAcceptExecutor")
	legacy.RegisterAminoMsg(cdc, &MsgRetireExecutor{}, "lunc-ml/MsgRetireExecutor")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitResult{}, "lunc-ml/MsgSubmitResult")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "lunc-ml/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "lunc-ml/x/ml/Params", nil)
}

// RegisterInterfaces registers the messages as sdk.Msg implementations and the Msg service.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgGenerateImage{}, &MsgGenerateAudio{}, &MsgChat{},
		&MsgRegisterExecutor{}, &MsgAcceptExecutor{}, &MsgRetireExecutor{}, &MsgSubmitResult{}, &MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}

// ICAHostAllowedMsgs are the type URLs an interchain account may execute on the ML chain: every x/ml message
// but MsgUpdateParams, and bank sends. (Literals: gogoproto registers names in init(), after package vars.)
var ICAHostAllowedMsgs = []string{
	"/lunc.ml.v1.MsgGenerateImage",
	"/lunc.ml.v1.MsgGenerateAudio",
	"/lunc.ml.v1.MsgChat",
	"/lunc.ml.v1.MsgRegisterExecutor",
	"/lunc.ml.v1.MsgAcceptExecutor",
	"/lunc.ml.v1.MsgRetireExecutor",
	"/lunc.ml.v1.MsgSubmitResult",
	"/cosmos.bank.v1beta1.MsgSend",
}
