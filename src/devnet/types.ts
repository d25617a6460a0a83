// Shapes shared by the devnet core and its callers (the CLI command and the e2e global setup).

/** What the core logs through; the CLI passes its Logger, tests a silent or console one. */
export interface DevnetLogger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
}

export type ChainKey = 'lunc' | 'ml';

export interface ChainPorts {
  rpc: number;
  p2p: number;
  grpc: number;
  /** REST API port; only opened when DevnetOptions.api is true. */
  api: number;
}

/** Static description of one devnet chain. */
export interface ChainSpec {
  key: ChainKey;
  chainId: string;
  moniker: string;
  prefix: string;
  denom: string;
  coinType: number;
  /** Gas price clients should use; the node's minimum-gas-prices is set to it, so lower fees are refused. */
  gasPrice: string;
  ports: ChainPorts;
  /** Edits applied to genesis app_state after init (before gentx). */
  genesisPatch?: (appState: Record<string, any>) => void;
}

export interface DevnetAccount {
  name: string;
  mnemonic: string;
}

export interface DowntimeRule {
  signedBlocksWindow: number;
  jailSeconds: number;
}

export interface DevnetOptions {
  /** Repository root: chain/ sources, .cache/bin and fixtures/devnet live under it. */
  repoRoot: string;
  /** Where chain homes, logs and profile.json go (default <repoRoot>/.lunc-ml/devnet). */
  home?: string;
  /** lunc-mld binary (default <repoRoot>/.cache/bin/lunc-mld, built when missing or stale). */
  binary?: string;
  /** Accounts file (default <repoRoot>/fixtures/devnet/accounts.json). */
  accountsFile?: string;
  /** Port layout; see defaultPorts / testPorts. */
  ports?: Record<ChainKey, ChainPorts>;
  /** x/ml job_timeout_blocks in the ML chain's genesis (default 40). */
  jobTimeoutBlocks?: number;
  /** Wipe existing chain data instead of restarting it. */
  reset?: boolean;
  /** Also open the REST API (off by default). */
  api?: boolean;
  /**
   * Validators of the ML chain (default 1; new devnets only, see layout.ts). lunc-1 always has one. A running or
   * stopped devnet with another count is refused unless reset is set.
   */
  validators?: number;
  /** Self-bond (umlc) of each ML validator, node 1 first (default SELF_BOND each). */
  validatorBonds?: bigint[];
  /**
   * x/slashing's downtime rule on the ML chain (default: the SDK's, 100 blocks and 10 minutes in jail): a validator
   * that misses more than half of `signedBlocksWindow` blocks is jailed for `jailSeconds` (60 at least: the SDK refuses less).
   */
  downtime?: DowntimeRule;
  /** How long to wait for both chains to reach height 2 (ms, default 90 s). */
  startTimeoutMs?: number;
  logger: DevnetLogger;
}

export interface ProfileChain {
  chainId: string;
  rpc: string;
  grpc: string;
  api?: string;
  p2p: string;
  prefix: string;
  denom: string;
  coinType: number;
  gasPrice: string;
  home: string;
  logFile: string;
  pid?: number;
  /** Operator (valoper) of the chain's only validator; the `validator` key signs for it. */
  validatorOperator: string;
}

/** One validator node of the ML chain (profile.mlValidators); node 1 is the same node as chains.ml. */
export interface ProfileValidatorNode {
  /** 1-based. */
  node: number;
  moniker: string;
  rpc: string;
  grpc: string;
  api?: string;
  p2p: string;
  home: string;
  logFile: string;
  pid?: number;
  /** CometBFT node id (persistent peers are id@127.0.0.1:p2p). */
  nodeId: string;
  validatorOperator: string;
  /** Self-bond in the chain's denom. */
  bond: string;
  /** Account names (accounts file) of the validator's self-delegator and of the executor it registers. */
  validatorKey: string;
  executorKey: string;
}

export interface DevnetProfile {
  version: 1;
  /** Marks the profile as the local devnet for `--chain <profile.json>` (tiny models, loopback executor URLs). */
  devnet: true;
  home: string;
  binary: string;
  running: boolean;
  startedAt?: string;
  chains: Record<ChainKey, ProfileChain>;
  /** Per account: where its mnemonic is (accountsFile, entry name) and its address on each chain. */
  accounts: Record<string, { mnemonicFile: string; lunc: string; ml: string }>;
  accountsFile: string;
  pids: Partial<Record<ChainKey, number>>;
  /**
   * Every validator node of the ML chain, node 1 first, when it has more than one (`devnet up --validators N`);
   * absent on a single-validator devnet. Node 1's pid is also pids.ml.
   */
  mlValidators?: ProfileValidatorNode[];
  defaultMaxFee: string;
  /**
   * lunc-1 addresses (no key exists for them) that x/ml on mlchain-1 sends the burn and community shares of
   * LUNC fees to; set in the ML genesis params burn_address / community_address.
   */
  luncBurnAddress?: string;
  luncCommunityAddress?: string;
  /**
   * The ICS-20 channel (port transfer) between the chains, written by `relay link`: controllerChannel on
   * lunc-1, hostChannel on mlchain-1 (x/ml's lunc_channel must name hostChannel).
   */
  transfer?: TransferChannels;
}

export interface TransferChannels {
  controllerChannel: string;
  hostChannel: string;
}

export interface ChainStatus {
  key: ChainKey;
  /** ML validator node (1-based), only on a multi-validator devnet. */
  node?: number;
  moniker?: string;
  chainId: string;
  rpc: string;
  pid?: number;
  alive: boolean;
  height?: number;
  catchingUp?: boolean;
  error?: string;
}

export interface DevnetStatus {
  home: string;
  running: boolean;
  chains: ChainStatus[];
}
