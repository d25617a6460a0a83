// Package intertx is a small ICS-27 controller front end, wire-compatible with the intertx module of
// cosmos/interchain-accounts-demo: /intertx.MsgRegisterAccount and /intertx.MsgSubmitTx (one Any).
package intertx

import (
	"encoding/json"

	"cosmossdk.io/core/appmodule"
	gwruntime "github.com/grpc-ecosystem/grpc-gateway/runtime"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/lunc-ml/lunc-ml/chain/x/intertx/keeper"
	"github.com/lunc-ml/lunc-ml/chain/x/intertx/types"
)

var (
	_ module.AppModuleBasic = AppModuleBasic{}
	_ module.HasServices    = AppModule{}
	_ appmodule.AppModule   = AppModule{}
)

// AppModuleBasic is the stateless part: codecs only (intertx has no genesis state).
type AppModuleBasic struct{}

func (AppModuleBasic) Name() string { return types.ModuleName }
func (AppModuleBasic) RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	types.RegisterLegacyAminoCodec(cdc)
}
func (AppModuleBasic) RegisterInterfaces(r codectypes.InterfaceRegistry)             { types.RegisterInterfaces(r) }
func (AppModuleBasic) RegisterGRPCGatewayRoutes(client.Context, *gwruntime.ServeMux) {}

// AppModule wires the Msg service.
type AppModule struct {
	AppModuleBasic
	keeper keeper.Keeper
}

// NewAppModule returns the module.
func NewAppModule(k keeper.Keeper) AppModule { return AppModule{keeper: k} }

func (AppModule) IsOnePerModuleType()      {}
func (AppModule) IsAppModule()             {}
func (AppModule) ConsensusVersion() uint64 { return 1 }

func (am AppModule) RegisterServices(cfg module.Configurator) {
	types.RegisterMsgServer(cfg.MsgServer(), keeper.NewMsgServerImpl(am.keeper))
}

// DefaultGenesis is null: the module keeps no state (the ICA controller does).
func (AppModuleBasic) DefaultGenesis(codec.JSONCodec) json.RawMessage { return nil }

// AutoCLIOptions: `lunc-mld tx intertx register [connection-id]`; submit is best done with the TS CLI or a
// signed tx file since its argument is an Any.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "intertx.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterAccount", Use: "register [connection-id]",
					Short:          "Register an interchain account for the signer (--version to pass explicit ics27-1 metadata)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "connection_id"}},
				},
				{RpcMethod: "SubmitTx", Skip: true},
			},
		},
	}
}
