// Legacy interchain-accounts-demo `intertx` controller messages (/intertx.MsgRegisterAccount, /intertx.MsgSubmitTx),
// for chains that still run that module (`--legacy-intertx`). Field numbers follow its proto/intertx/tx.proto.
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { Any } from 'cosmjs-types/google/protobuf/any';

export interface MsgRegisterAccount {
  owner: string;
  connectionId: string;
  version: string;
}

export interface MsgSubmitTx {
  owner: string;
  connectionId: string;
  msg?: Any;
}

export const MsgRegisterAccount = {
  typeUrl: '/intertx.MsgRegisterAccount',
  encode(m: MsgRegisterAccount, w: BinaryWriter = new BinaryWriter()): BinaryWriter {
    if (m.owner) w.uint32(10).string(m.owner);
    if (m.connectionId) w.uint32(18).string(m.connectionId);
    if (m.version) w.uint32(26).string(m.version);
    return w;
  },
  decode(input: Uint8Array | BinaryReader, length?: number): MsgRegisterAccount {
    const r = input instanceof BinaryReader ? input : new BinaryReader(input);
    const end = length === undefined ? r.len : r.pos + length;
    const m = MsgRegisterAccount.fromPartial({});
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag >>> 3) {
        case 1: m.owner = r.string(); break;
        case 2: m.connectionId = r.string(); break;
        case 3: m.version = r.string(); break;
        default: r.skip(tag & 7);
      }
    }
    return m;
  },
  fromPartial(o: Partial<MsgRegisterAccount>): MsgRegisterAccount {
    return { owner: o.owner ?? '', connectionId: o.connectionId ?? '', version: o.version ?? '' };
  },
};

export const MsgSubmitTx = {
  typeUrl: '/intertx.MsgSubmitTx',
  encode(m: MsgSubmitTx, w: BinaryWriter = new BinaryWriter()): BinaryWriter {
    if (m.owner) w.uint32(10).string(m.owner);
    if (m.connectionId) w.uint32(18).string(m.connectionId);
    if (m.msg) w.uint32(26).bytes(Any.encode(m.msg).finish());
    return w;
  },
  decode(input: Uint8Array | BinaryReader, length?: number): MsgSubmitTx {
    const r = input instanceof BinaryReader ? input : new BinaryReader(input);
    const end = length === undefined ? r.len : r.pos + length;
    const m = MsgSubmitTx.fromPartial({});
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag >>> 3) {
        case 1: m.owner = r.string(); break;
        case 2: m.connectionId = r.string(); break;
        case 3: m.msg = Any.decode(r.bytes()); break;
        default: r.skip(tag & 7);
      }
    }
    return m;
  },
  fromPartial(o: Partial<MsgSubmitTx>): MsgSubmitTx {
    return { owner: o.owner ?? '', connectionId: o.connectionId ?? '', msg: o.msg ? Any.fromPartial(o.msg) : undefined };
  },
};
