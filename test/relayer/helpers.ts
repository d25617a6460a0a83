// Shared by the relayer e2e tests and the bench: the devnet's profile and accounts, ICA messages signed with
// SIGN_MODE_DIRECT, a relayer child process, and polling helpers (never fixed sleeps).
import { readAccounts } from '../../src/devnet/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';
import { DirectSecp256k1HdWallet, Registry } from '@cosmjs/proto-signing';
import { SigningStargateClient, StargateClient, defaultRegistryTypes, GasPrice, type DeliverTxResponse } from '@cosmjs/stargate';
import { stringToPath } from '@cosmjs/crypto';
import { MsgRegisterInterchainAccount, MsgSendTx } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/tx';
import { QueryInterchainAccountRequest, QueryInterchainAccountResponse } from 'cosmjs-types/ibc/applications/interchain_accounts/controller/v1/query';
import { CosmosTx, InterchainAccountPacketData, Type } from 'cosmjs-types/ibc/applications/interchain_accounts/v1/packet';
import { MsgSend } from 'cosmjs-types/cosmos/bank/v1beta1/tx';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChainInfo {
  chainId: string;
  rpc: string;
  prefix: string;
  denom: string;
  coinType?: number;
  gasPrice?: string;
}

export interface Devnet {
  home: string;
  profilePath: string;
  accountsPath: string;
  lunc: ChainInfo;
  ml: ChainInfo;
  mnemonic(name: string): string;
}

/** The devnet: LUNC_ML_DEVNET_HOME (or <repo>/.lunc-ml/devnet) holds profile.json; accounts from the fixture. */
export function devnet(): Devnet | undefined {
  const home = process.env.LUNC_ML_DEVNET_HOME || join(repoRoot, '.lunc-ml', 'devnet');
  const profilePath = join(home, 'profile.json');
  const accountsPath = process.env.LUNC_ML_DEVNET_ACCOUNTS || (existsSync(join(home, 'accounts.json')) ? join(home, 'accounts.json') : join(repoRoot, 'fixtures', 'devnet', 'accounts.json'));
  if (!existsSync(profilePath) || !existsSync(accountsPath)) return undefined;
  const p = JSON.parse(readFileSync(profilePath, 'utf8'));
  const list = readAccounts(accountsPath);
  return {
    home,
    profilePath,
    accountsPath,
    lunc: p.chains.lunc,
    ml: p.chains.ml,
    mnemonic(name: string) {
      const a = list.find((x) => x.name === name);
      if (!a?.mnemonic) throw new Error(`no ${name} mnemonic in ${accountsPath}`);
      return a.mnemonic;
    },
  };
}

export function registry(): Registry {
  const r = new Registry(defaultRegistryTypes);
  r.register('/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount', MsgRegisterInterchainAccount as any);
  r.register('/ibc.applications.interchain_accounts.controller.v1.MsgSendTx', MsgSendTx as any);
  return r;
}

export interface Account {
  address: string;
  client: SigningStargateClient;
}

export async function account(chain: ChainInfo, mnemonic: string): Promise<Account> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: chain.prefix, hdPaths: [stringToPath(`m/44'/${chain.coinType ?? 118}'/0'/0/0`)] });
  const [a] = await wallet.getAccounts();
  const client = await SigningStargateClient.connectWithSigner(chain.rpc, wallet, {
    registry: registry(),
    gasPrice: GasPrice.fromString(chain.gasPrice ?? `0${chain.denom}`),
    broadcastPollIntervalMs: 250,
  });
  return { address: a.address, client };
}

export function icaVersion(controllerConn: string, hostConn: string): string {
  return JSON.stringify({ version: 'ics27-1', controller_connection_id: controllerConn, host_connection_id: hostConn, address: '', encoding: 'proto3', tx_type: 'sdk_multi_msg' });
}

export async function send(a: Account, msgs: { typeUrl: string; value: unknown }[]): Promise<DeliverTxResponse> {
  const res = await a.client.signAndBroadcast(a.address, msgs, 2);
  if (res.code !== 0) throw new Error(`tx failed (${res.code}): ${res.rawLog}`);
  return res;
}

export function registerMsg(owner: string, connectionId: string, version: string, ordering = 1) {
  return {
    typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgRegisterInterchainAccount',
    value: MsgRegisterInterchainAccount.fromPartial({ owner, connectionId, version, ordering }),
  };
}

export function bankSendViaIca(owner: string, connectionId: string, ica: string, to: string, amount: string, denom: string, relativeTimeoutNs: bigint, memo = '') {
  const inner = MsgSend.fromPartial({ fromAddress: ica, toAddress: to, amount: [{ denom, amount }] });
  const tx = CosmosTx.fromPartial({ messages: [{ typeUrl: '/cosmos.bank.v1beta1.MsgSend', value: MsgSend.encode(inner).finish() }] });
  return {
    typeUrl: '/ibc.applications.interchain_accounts.controller.v1.MsgSendTx',
    value: MsgSendTx.fromPartial({
      owner,
      connectionId,
      packetData: InterchainAccountPacketData.fromPartial({ type: Type.TYPE_EXECUTE_TX, data: CosmosTx.encode(tx).finish(), memo }),
      relativeTimeout: relativeTimeoutNs,
    }),
  };
}

/** The packet sequence MsgSendTx was given: the send_packet event's packet_sequence. */
export function packetSequence(res: DeliverTxResponse): bigint {
  for (const ev of res.events) if (ev.type === 'send_packet') for (const at of ev.attributes) if (at.key === 'packet_sequence') return BigInt(at.value);
  throw new Error('no send_packet event in the tx result');
}

export function eventAttr(res: DeliverTxResponse, type: string, key: string): string | undefined {
  for (const ev of res.events) if (ev.type === type) for (const at of ev.attributes) if (at.key === key) return at.value;
  return undefined;
}

export async function icaAddress(client: StargateClient | SigningStargateClient, owner: string, connectionId: string): Promise<string | undefined> {
  try {
    const q = (client as any).forceGetQueryClient();
    const res = await q.queryAbci('/ibc.applications.interchain_accounts.controller.v1.Query/InterchainAccount', QueryInterchainAccountRequest.encode({ owner, connectionId }).finish());
    return QueryInterchainAccountResponse.decode(res.value).address || undefined;
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000, everyMs = 300): Promise<T> {
  const start = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RelayerProc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Sends `signal` the moment the output matches `re` (from the data handler: no polling delay). */
  killOn(re: RegExp, signal: NodeJS.Signals): Promise<void>;
}

/** `lunc-ml --chain local relay <args>` as a child process (from dist/: run `npm run build` first). */
export function relayerProcess(dn: Devnet, args: string[], opts: { home: string; state: string; env?: Record<string, string> }): RelayerProc {
  let out = '';
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'lunc-ml.js'), '--chain', 'local', '--home', opts.home, '--log-format', 'json', 'relay', ...args, '--state', opts.state, '--accounts', dn.accountsPath],
    {
      env: { ...process.env, LUNC_ML_DEVNET_HOME: dn.home, LUNC_ML_OUTPUT: '', ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const killOn = (re: RegExp, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (re.test(out)) {
          child.kill(signal);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      check();
    });
  return { child, output: () => out, exited, killOn };
}
