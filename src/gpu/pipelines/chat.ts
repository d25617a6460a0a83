// Text generation with a decoder-only ONNX LM (optimum / transformers.js layout): byte-level BPE tokenizer,
// one prefill run over the prompt with empty past, then one run per new token feeding back present.* as
// past_key_values.*; greedy at temperature 0, else temperature sampling from the seeded generator.
import type * as Ort from 'onnxruntime-node';
import { ModelError, UsageError } from '../../core/errors.js';
import { loadChatDir, type ChatModelDir } from '../model-dir.js';
import { Rng, type Seed } from '../rng.js';
import { createModel, floatData, type OrtModel, type SessionOptions } from '../session.js';
import { ByteLevelTokenizer } from '../tokenizer/bytelevel.js';
import { ChatTemplate } from '../tokenizer/chat-template.js';
import type { Timings } from './txt2img.js';

export interface ChatOptions {
  prompt: string;
  maxTokens: number;
  temperature?: number;
  seed?: Seed;
  /**
   * Tokenize the prompt as it is (with the tokenizer's post-processor, e.g. BOS) instead of as the user turn of the
   * model's chat template. Models without a template always do this.
   */
  rawPrompt?: boolean;
  /** Re-run the whole sequence each step instead of using the KV cache (for checking the cache). */
  noCache?: boolean;
  onToken?: (step: number, total: number) => void;
}

export interface ChatResult {
  text: string;
  tokenIds: number[];
  promptTokenIds: number[];
  finishReason: 'eos' | 'max_tokens' | 'context';
  provider: string;
  timings: Timings;
}

interface KvLayout {
  layers: number;
  heads: number;
  headDim: number;
  pastKey: (i: number) => string;
  pastValue: (i: number) => string;
  presentKey: (i: number) => string;
  presentValue: (i: number) => string;
}

export class ChatPipeline {
  private constructor(
    readonly model: ChatModelDir,
    readonly tokenizer: ByteLevelTokenizer,
    readonly lm: OrtModel,
    private readonly kv: KvLayout,
    readonly chatTemplate: ChatTemplate | undefined,
  ) {}

  static async load(dir: string, opts: SessionOptions): Promise<ChatPipeline> {
    const model = loadChatDir(dir);
    const tokenizer = ByteLevelTokenizer.fromDir(model.tokenizerDir);
    const template = ChatTemplate.fromDir(model.tokenizerDir);
    const lm = await createModel(model.modelPath, opts);
    return new ChatPipeline(model, tokenizer, lm, kvLayout(lm, model.config), template);
  }

  get provider(): string {
    return this.lm.provider;
  }

  get eosIds(): number[] {
    if (this.model.eosTokenIds.length) return this.model.eosTokenIds;
    const id = this.tokenizer.idOf('<|endoftext|>');
    return id === undefined ? [] : [id];
  }

  async release(): Promise<void> {
    await this.lm.release();
  }

  /**
   * The prompt's ids: with a chat template, the prompt is the user turn and the template's output is tokenized
   * without the post-processor (the template writes BOS itself), as transformers' apply_chat_template does.
   */
  promptIds(prompt: string, raw = false): number[] {
    if (raw || !this.chatTemplate) return this.tokenizer.encode(prompt);
    const text = this.chatTemplate.render([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
    return this.tokenizer.encode(text, { addSpecialTokens: false });
  }

  async run(o: ChatOptions): Promise<ChatResult> {
    const t0 = performance.now();
    const ort0 = this.lm.ortMs;
    const runs0 = this.lm.runs;
    if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1) throw new UsageError(`max_tokens must be a positive integer, got ${o.maxTokens}`);
    const temperature = o.temperature ?? 0;
    if (!(temperature >= 0)) throw new UsageError(`temperature must be ≥ 0, got ${temperature}`);
    const rng = new Rng(o.seed ?? 0);
    const promptIds = this.promptIds(o.prompt, o.rawPrompt === true);
    if (promptIds.length === 0) throw new UsageError('prompt is empty');
    const maxPos = this.model.maxPositions ?? Infinity;
    if (promptIds.length >= maxPos) throw new UsageError(`prompt is ${promptIds.length} tokens; the model takes at most ${maxPos}`);
    const eos = new Set(this.eosIds);
    const all = [...promptIds];
    const generated: number[] = [];
    let past: Record<string, Ort.Tensor> | undefined;
    let finish: ChatResult['finishReason'] = 'max_tokens';
    while (generated.length < o.maxTokens) {
      if (all.length >= maxPos) {
        finish = 'context';
        break;
      }
      const useCache = !o.noCache && past !== undefined;
      const newIds = useCache ? all.slice(-1) : all;
      const pastLen = useCache ? all.length - 1 : 0;
      const feeds = this.feeds(newIds, pastLen, useCache ? past : undefined);
      const out = await this.lm.run(feeds);
      const logitsT = out.logits ?? Object.values(out)[0]!;
      const logits = floatData(logitsT);
      const V = logitsT.dims[2]!;
      const last = logits.subarray((newIds.length - 1) * V, newIds.length * V);
      const next = temperature === 0 ? argmax(last) : sample(last, temperature, rng);
      if (!o.noCache) {
        past = {};
        for (let i = 0; i < this.kv.layers; i++) {
          past[this.kv.pastKey(i)] = out[this.kv.presentKey(i)]!;
          past[this.kv.pastValue(i)] = out[this.kv.presentValue(i)]!;
        }
      }
      if (eos.has(next)) {
        finish = 'eos';
        break;
      }
      generated.push(next);
      all.push(next);
      o.onToken?.(generated.length, o.maxTokens);
    }
    return {
      text: this.tokenizer.decode(generated),
      tokenIds: generated,
      promptTokenIds: promptIds,
      finishReason: finish,
      provider: this.provider,
      timings: { wallMs: performance.now() - t0, ortMs: this.lm.ortMs - ort0, ortRuns: this.lm.runs - runs0 },
    };
  }

  private feeds(ids: number[], pastLen: number, past: Record<string, Ort.Tensor> | undefined): Record<string, Ort.Tensor> {
    const s = ids.length;
    const feeds: Record<string, Ort.Tensor> = { input_ids: this.lm.intTensor('input_ids', ids, [1, s]) };
    if (this.lm.inputs.has('attention_mask')) feeds.attention_mask = this.lm.intTensor('attention_mask', new Array<number>(pastLen + s).fill(1), [1, pastLen + s]);
    if (this.lm.inputs.has('position_ids'))
      feeds.position_ids = this.lm.intTensor(
        'position_ids',
        ids.map((_, i) => pastLen + i),
        [1, s],
      );
    if (this.lm.inputs.has('use_cache_branch')) feeds.use_cache_branch = new this.lm.ort.Tensor('bool', [past !== undefined], [1]);
    const { layers, heads, headDim } = this.kv;
    for (let i = 0; i < layers; i++) {
      for (const name of [this.kv.pastKey(i), this.kv.pastValue(i)]) {
        feeds[name] = past?.[name] ?? this.lm.floatTensor(name, new Float32Array(0), [1, heads, 0, headDim]);
      }
    }
    return feeds;
  }
}

/** Layer count, heads and head size of the KV cache, from the session inputs (config.json as a fallback). */
function kvLayout(lm: OrtModel, config: Record<string, unknown>): KvLayout {
  let layers = 0;
  while (lm.inputs.has(`past_key_values.${layers}.key`)) layers++;
  if (layers === 0) {
    throw new ModelError(`${lm.label} has no past_key_values.N.key inputs (inputs: ${[...lm.inputs.keys()].join(', ')})`, {
      code: 'model_io',
      hint: 'export the model with a KV cache (optimum-cli export onnx --task text-generation-with-past)',
    });
  }
  for (let i = 0; i < layers; i++) {
    if (!lm.outputs.has(`present.${i}.key`) || !lm.outputs.has(`present.${i}.value`)) {
      throw new ModelError(`${lm.label} lacks output present.${i}.key/value`, { code: 'model_io', hint: 'the model was exported without present.* outputs' });
    }
  }
  const shape = lm.input('past_key_values.0.key').shape;
  const cfgNum = (...keys: string[]) => keys.map((k) => config[k]).find((v): v is number => typeof v === 'number');
  const heads = typeof shape[1] === 'number' ? shape[1] : cfgNum('num_key_value_heads', 'num_attention_heads', 'n_head');
  const hidden = cfgNum('hidden_size', 'n_embd');
  const headDim = typeof shape[3] === 'number' ? shape[3] : (cfgNum('head_dim') ?? (hidden && heads ? hidden / heads : undefined));
  if (!heads || !headDim) throw new ModelError(`${lm.label}: cannot tell the KV cache shape (heads/head_dim)`, { code: 'model_io', hint: 'add num_key_value_heads and head_dim to config.json' });
  return {
    layers,
    heads,
    headDim,
    pastKey: (i) => `past_key_values.${i}.key`,
    pastValue: (i) => `past_key_values.${i}.value`,
    presentKey: (i) => `present.${i}.key`,
    presentValue: (i) => `present.${i}.value`,
  };
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

function sample(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i]! - max) / temperature);
  let u = rng.nextFloat() * sum;
  for (let i = 0; i < p.length; i++) {
    u -= p[i]!;
    if (u < 0) return i;
  }
  return p.length - 1;
}
