package ml

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

var _ interface {
	AutoCLIOptions() *autocliv1.ModuleOptions
} = AppModule{}

// AutoCLIOptions describes `lunc-mld query ml ...` and `lunc-mld tx ml ...`.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: "lunc.ml.v1.Query",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Show the x/ml params"},
				{RpcMethod: "Job", Use: "job [id]", Short: "Show a job", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}}},
				{RpcMethod: "Jobs", Use: "jobs", Short: "List jobs (--requester, --executor, --status JOB_STATUS_PENDING...)"},
				{RpcMethod: "Executor", Use: "executor [valoper-or-account]", Short: "Show an executor by operator or executor account", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}}},
				{RpcMethod: "Executors", Use: "executors", Short: "List executors"},
				{RpcMethod: "Flows", Use: "flows", Short: "Fee accounting per denom: escrowed, paid to executors, accumulated, in flight and delivered burn/community shares"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: "lunc.ml.v1.Msg",
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "GenerateImage", Use: "generate-image [prompt] [model] [max-fee]",
					Short:          "Request a text-to-image job (--width --height --steps --guidance-scale --scheduler --seed --num-images)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "prompt"}, {ProtoField: "model"}, {ProtoField: "max_fee"}},
				},
				{
					RpcMethod: "GenerateAudio", Use: "generate-audio [prompt] [model] [max-fee]",
					Short:          "Request a text-to-audio job (--duration-ms --steps --style --seed)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "prompt"}, {ProtoField: "model"}, {ProtoField: "max_fee"}},
				},
				{
					RpcMethod: "Chat", Use: "chat [prompt] [model] [max-fee]",
					Short:          "Request a chat completion (--max-tokens --temperature --seed)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "prompt"}, {ProtoField: "model"}, {ProtoField: "max_fee"}},
				},
				{
					RpcMethod: "RegisterExecutor", Use: "register-executor [executor-account] [encryption-pubkey-base64] [devices] [models,...]",
					Short:          "Propose (register or update) the executor of the signing validator operator (--from the operator key); the executor account then runs accept-executor",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "executor"}, {ProtoField: "encryption_pubkey"}, {ProtoField: "devices"}, {ProtoField: "models", Varargs: true}},
				},
				{
					RpcMethod: "AcceptExecutor", Use: "accept-executor [operator]",
					Short:          "Accept the operator's pending executor proposal naming the signing account (--from the executor key)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{RpcMethod: "RetireExecutor", Use: "retire-executor", Short: "Stop new assignments to the operator's executor"},
				{
					RpcMethod: "SubmitResult", Use: "submit-result [job-id] [output-sha256] [output-uri]",
					Short:          "Report a job's output (--mime --sealed), or --error to fail it",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "job_id"}, {ProtoField: "output_sha256"}, {ProtoField: "output_uri"}},
				},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
