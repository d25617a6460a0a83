// Model folders on disk: diffusers ONNX exports (model_index.json + component folders) and optimum /
// transformers.js decoder-only LMs (config.json + model.onnx or onnx/model.onnx). Missing pieces are ModelErrors
// that name the file and say what to do.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ModelError } from '../core/errors.js';
import { readJsonFile } from './tokenizer/bpe.js';
import { parseSchedulerConfig, type SchedulerConfig } from './schedulers/common.js';

export type ModelKind = 'diffusers' | 'chat';

export interface DiffusersModelDir {
  kind: 'diffusers';
  dir: string;
  pipelineClass: string;
  textEncoder: string;
  unet: string;
  vaeDecoder: string;
  tokenizerDir: string;
  scheduler: SchedulerConfig;
  /** latents are divided by this before the VAE (vae_decoder/config.json scaling_factor, default 0.18215). */
  vaeScalingFactor: number;
}

export interface ChatModelDir {
  kind: 'chat';
  dir: string;
  modelPath: string;
  tokenizerDir: string;
  config: Record<string, unknown>;
  eosTokenIds: number[];
  maxPositions?: number;
  defaultMaxNewTokens?: number;
}

const GEN_HINT = 'generate the test models with `python3 scripts/gen_tiny_models.py`, or export the model again (optimum-cli export onnx / diffusers convert_stable_diffusion_checkpoint_to_onnx.py)';

function missing(path: string, what: string): ModelError {
  return new ModelError(`${what} not found: ${path}`, { code: 'model_file_missing', hint: GEN_HINT, data: { path } });
}

/** A model given by name (a folder under modelsDir) or by path. */
export function resolveModelPath(modelsDir: string, model: string): string {
  const direct = isAbsolute(model) || model.startsWith('.') ? resolve(model) : join(modelsDir, model);
  if (!existsSync(direct) || !statSync(direct).isDirectory()) {
    const known = existsSync(modelsDir) ? listModels(modelsDir).map((m) => m.name) : [];
    throw new ModelError(`model "${model}" not found (looked for ${direct})`, {
      code: 'model_not_found',
      hint: known.length ? `models in ${modelsDir}: ${known.join(', ')}` : `no models in ${modelsDir}; ${GEN_HINT}, or pass --models <dir>`,
      data: { path: direct, modelsDir },
    });
  }
  return direct;
}

function componentPath(dir: string, index: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const entry = index[name];
  const declared = Array.isArray(entry) && entry[0] !== null && entry[1] !== null;
  const path = join(dir, name, 'model.onnx');
  if (existsSync(path)) return path;
  if (required || declared) throw missing(path, `${name} model (model_index.json lists "${name}")`);
  return undefined;
}

export function loadDiffusersDir(dir: string): DiffusersModelDir {
  const indexPath = join(dir, 'model_index.json');
  if (!existsSync(indexPath)) throw missing(indexPath, 'model_index.json (the diffusers pipeline description)');
  const index = readJsonFile<Record<string, unknown>>(indexPath, 'model_index.json');
  const textEncoder = componentPath(dir, index, 'text_encoder', true)!;
  const unet = componentPath(dir, index, 'unet', true)!;
  const vaeDecoder = componentPath(dir, index, 'vae_decoder', true)!;
  const tokenizerDir = join(dir, 'tokenizer');
  for (const f of ['vocab.json', 'merges.txt']) if (!existsSync(join(tokenizerDir, f))) throw missing(join(tokenizerDir, f), `tokenizer file ${f}`);
  const schedPath = join(dir, 'scheduler', 'scheduler_config.json');
  if (!existsSync(schedPath)) throw missing(schedPath, 'scheduler config');
  const scheduler = parseSchedulerConfig(readJsonFile<Record<string, unknown>>(schedPath, 'scheduler config'));
  let vaeScalingFactor = 0.18215;
  const vaeCfg = join(dir, 'vae_decoder', 'config.json');
  if (existsSync(vaeCfg)) {
    const c = readJsonFile<Record<string, unknown>>(vaeCfg, 'vae_decoder config');
    if (typeof c.scaling_factor === 'number') vaeScalingFactor = c.scaling_factor;
  }
  return {
    kind: 'diffusers',
    dir,
    pipelineClass: typeof index._class_name === 'string' ? index._class_name : 'unknown',
    textEncoder,
    unet,
    vaeDecoder,
    tokenizerDir,
    scheduler,
    vaeScalingFactor,
  };
}

export function loadChatDir(dir: string): ChatModelDir {
  const candidates = ['model.onnx', 'onnx/model.onnx', 'decoder_model_merged.onnx', 'onnx/decoder_model_merged.onnx'];
  const modelPath = candidates.map((c) => join(dir, c)).find((p) => existsSync(p));
  if (!modelPath) throw missing(join(dir, 'onnx', 'model.onnx'), `decoder model (looked for ${candidates.join(', ')})`);
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw missing(configPath, 'config.json (model configuration)');
  const config = readJsonFile<Record<string, unknown>>(configPath, 'config.json');
  const hasTokenizer = existsSync(join(dir, 'tokenizer.json')) || (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt')));
  if (!hasTokenizer) throw missing(join(dir, 'tokenizer.json'), 'tokenizer (tokenizer.json, or vocab.json + merges.txt)');
  let gen: Record<string, unknown> = {};
  const genPath = join(dir, 'generation_config.json');
  if (existsSync(genPath)) gen = readJsonFile<Record<string, unknown>>(genPath, 'generation_config.json');
  const eosRaw = gen.eos_token_id ?? config.eos_token_id;
  const eosTokenIds = (Array.isArray(eosRaw) ? eosRaw : [eosRaw]).filter((x): x is number => typeof x === 'number');
  return {
    kind: 'chat',
    dir,
    modelPath,
    tokenizerDir: dir,
    config,
    eosTokenIds,
    maxPositions: typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : typeof config.n_positions === 'number' ? config.n_positions : undefined,
    defaultMaxNewTokens: typeof gen.max_new_tokens === 'number' ? gen.max_new_tokens : undefined,
  };
}

export function detectKind(dir: string): ModelKind | undefined {
  if (existsSync(join(dir, 'model_index.json'))) return 'diffusers';
  if (existsSync(join(dir, 'config.json'))) return 'chat';
  return undefined;
}

export function listModels(modelsDir: string): { name: string; dir: string; kind: ModelKind }[] {
  if (!existsSync(modelsDir)) return [];
  const out: { name: string; dir: string; kind: ModelKind }[] = [];
  for (const name of readdirSync(modelsDir).sort()) {
    const dir = join(modelsDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const kind = detectKind(dir);
    if (kind) out.push({ name, dir, kind });
  }
  return out;
}
