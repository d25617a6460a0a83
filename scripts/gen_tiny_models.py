#!/usr/bin/env python3
"""Generate tiny, deterministic ONNX model folders for lunc-ml tests and benches.

    python3 scripts/gen_tiny_models.py [target_dir]      # default: fixtures/models
    python3 scripts/gen_tiny_models.py --shapes sd15 [target_dir]   # default: bench/out/models

Writes (each a real, if meaningless, computation with fixed random weights):
  tiny-sd/          diffusers ONNX export layout: model_index.json, scheduler/, tokenizer/ (CLIP-style BPE),
                    text_encoder/ (input_ids int32 [batch,77]), unet/ (timestep float [batch]), vae_decoder/
  tiny-sd-optimum/  the same weights as optimum exports them: int64 input_ids, scalar timestep, PNDM config
  tiny-sd-fp16/     tiny-sd (same files and weights) with float16 I/O as in fp16 GPU exports (ORT optimize_pipeline
                    --float16, diffusers fp16): text_encoder last_hidden_state/pooler_output, unet sample/timestep/
                    encoder_hidden_states/out_sample and vae_decoder latent_sample/sample are float16; Cast nodes at
                    the boundaries keep the arithmetic inside in float32, so only the I/O rounding differs from tiny-sd
  tiny-sd-legacy/   tiny-sd weights as diffusers' legacy export script wrote some UNets: timestep int64 [batch]
                    (Cast to float inside), with an Euler linspace config, whose timesteps are fractional
  tiny-audio/       tiny-sd layout and weights with a Riffusion-like model_index (different seed)
  tiny-chat/        decoder-only LM in the optimum / transformers.js layout (onnx/model.onnx, config.json,
                    tokenizer.json + vocab.json/merges.txt byte-level BPE, generation_config.json) with a KV cache
  tiny-chat-llama3/ the same kind of LM with a Llama 3 / Qwen 2 style tokenizer.json (NFC normalizer, Split
                    pre-tokenizer, TemplateProcessing BOS), a chat template and two EOS ids
  .stamp            written last: its presence means the folder is complete

With --shapes sd15 it writes only sd15-shape/ (for bench/gpu-pipeline.mjs --model-dir): the tiny-sd layout with
Stable Diffusion 1.5's real tensor shapes and enough arithmetic that ORT time is not negligible on a CPU —
text encoder [batch,77] → [batch,77,768]; UNet sample [2,4,64,64] + encoder_hidden_states [2,77,768] through a
3×3 conv 4→320, time embedding, SiLU, a single-head cross-attention over the 77 tokens (d=64), a 1×1 conv 320→320
and a 3×3 conv 320→4 (≈2.6 GFLOP per batch-2 run); VAE decoder 4×64×64 → 3×512×512 through three nearest
×2 upsamplings with 3×3 convs 4→64→32→16→3 (≈1.5 GFLOP). The weights are meaningless; the shapes are not.

Output is byte-identical on every run: numpy's legacy RandomState with fixed seeds, onnx protobufs without
timestamps, JSON with sorted keys. Check: run it into two folders and compare
`(cd DIR && find . -type f | sort | xargs sha256sum)` of both.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14
IR_VERSION = 8
SEQ = 77


# --------------------------------------------------------------------------------------------- helpers

def write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(obj, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")


def write_text(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def save_model(graph, path: str) -> None:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="lunc-ml-gen-tiny")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


def init(name: str, arr) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(arr), name=name)


def f32(rs: np.random.RandomState, *shape, scale=1.0):
    return (rs.standard_normal(shape) * scale).astype(np.float32)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP reversible byte → printable unicode map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def train_bpe(words: Counter, n_merges: int) -> list[tuple[str, str]]:
    """Plain BPE training: most frequent adjacent pair, ties broken by the pair's text (deterministic)."""
    seqs = {w: list(syms) for w, syms in words.keys()}
    freq = {w: c for (w, _), c in words.items()}
    merges: list[tuple[str, str]] = []
    for _ in range(n_merges):
        pairs: Counter = Counter()
        for w, syms in seqs.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += freq[w]
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        for w, syms in seqs.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            seqs[w] = out
    return merges


CORPUS = [
    "a photo of a cat", "a photo of a dog", "a painting of a cat on the beach", "an astronaut riding a horse",
    "a red car in the rain", "the sound of rain on a tin roof", "jazz piano with a funky beat",
    "lofi hip hop beat to relax", "church bells on a sunday morning", "hello world", "a cat and a dog",
    "the quick brown fox jumps over the lazy dog", "photo of the moon at night", "a portrait of a painter",
]


# --------------------------------------------------------------------------------------------- CLIP tokenizer

def clip_tokenizer(dirpath: str, n_merges: int = 60) -> int:
    """Writes a CLIP-style tokenizer; returns the vocab size. Layout mirrors openai/clip-vit-large-patch14."""
    b2u = bytes_to_unicode()
    words: Counter = Counter()
    for line in CORPUS:
        for w in re.findall(r"[a-z]+|[0-9]|[^\sa-z0-9]+", line.lower()):
            syms = [b2u[b] for b in w.encode("utf-8")]
            syms[-1] = syms[-1] + "</w>"
            words[(w, tuple(syms))] += 1
    merges = train_bpe(words, n_merges)
    vocab_list = list(b2u.values())
    vocab_list += [v + "</w>" for v in vocab_list]
    vocab_list += [a + b for a, b in merges]
    vocab_list += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {tok: i for i, tok in enumerate(vocab_list)}
    assert len(vocab) == len(vocab_list), "duplicate tokens"
    write_json(os.path.join(dirpath, "vocab.json"), vocab)
    write_text(os.path.join(dirpath, "merges.txt"), "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    special = {
        "bos_token": {"content": "<|startoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "eos_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "pad_token": "<|endoftext|>",
        "unk_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
    }
    write_json(os.path.join(dirpath, "special_tokens_map.json"), special)
    write_json(os.path.join(dirpath, "tokenizer_config.json"), {
        "add_prefix_space": False,
        "bos_token": "<|startoftext|>",
        "do_lower_case": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": SEQ,
        "pad_token": "<|endoftext|>",
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": "<|endoftext|>",
    })
    return len(vocab_list)


# --------------------------------------------------------------------------------------------- tiny SD

def text_encoder(path: str, rs, vocab: int, hidden: int, ids_dtype: int) -> None:
    emb = f32(rs, vocab, hidden, scale=0.5)
    pos = f32(rs, SEQ, hidden, scale=0.1)
    w = f32(rs, hidden, hidden, scale=1.0 / np.sqrt(hidden))
    nodes = [
        helper.make_node("Gather", ["tok_emb", "input_ids"], ["e"], axis=0),
        helper.make_node("Add", ["e", "pos_emb"], ["e2"]),
        helper.make_node("MatMul", ["e2", "w"], ["h"]),
        helper.make_node("Tanh", ["h"], ["last_hidden_state"]),
        helper.make_node("ReduceMean", ["last_hidden_state"], ["pooler_output"], axes=[1], keepdims=0),
    ]
    g = helper.make_graph(
        nodes, "tiny_text_encoder",
        [helper.make_tensor_value_info("input_ids", ids_dtype, ["batch", "sequence"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]),
         helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["batch", hidden])],
        [init("tok_emb", emb), init("pos_emb", pos), init("w", w)],
    )
    save_model(g, path)


def unet(path: str, rs, hidden: int, scalar_timestep: bool) -> None:
    c1 = 8
    w1 = f32(rs, c1, 4, 3, 3, scale=0.3)
    b1 = f32(rs, c1, scale=0.1)
    w2 = f32(rs, 4, c1, 3, 3, scale=0.2)
    b2 = f32(rs, 4, scale=0.05)
    freqs = f32(rs, 1, c1, scale=3.0)
    wt = f32(rs, hidden, c1, scale=1.0 / np.sqrt(hidden))
    nodes = [
        # time embedding: sin(t/1000 * f) → [1,c1,1,1], the same for every batch row (t is one value repeated)
        helper.make_node("Reshape", ["timestep", "shape_col"], ["t_col"]),
        helper.make_node("Div", ["t_col", "t_scale"], ["t_n"]),
        helper.make_node("MatMul", ["t_n", "freqs"], ["t_f"]),
        helper.make_node("Sin", ["t_f"], ["t_sin"]),
        helper.make_node("ReduceMean", ["t_sin"], ["t_m"], axes=[0], keepdims=1),
        helper.make_node("Reshape", ["t_m", "shape_c1"], ["temb"]),
        # text conditioning: mean over tokens → [N,c1,1,1]
        helper.make_node("ReduceMean", ["encoder_hidden_states"], ["txt"], axes=[1], keepdims=0),
        helper.make_node("MatMul", ["txt", "wt"], ["txt_c"]),
        helper.make_node("Reshape", ["txt_c", "shape_nc1"], ["temb_txt"]),
        helper.make_node("Conv", ["sample", "w1", "b1"], ["h1"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["h1", "temb"], ["h2"]),
        helper.make_node("Add", ["h2", "temb_txt"], ["h3"]),
        helper.make_node("Tanh", ["h3"], ["h4"]),
        helper.make_node("Conv", ["h4", "w2", "b2"], ["h5"], pads=[1, 1, 1, 1]),
        helper.make_node("Tanh", ["h5"], ["h6"]),
        helper.make_node("Mul", ["sample", "skip"], ["s_skip"]),
        helper.make_node("Add", ["h6", "s_skip"], ["out_sample"]),
    ]
    t_shape = [] if scalar_timestep else ["batch"]
    g = helper.make_graph(
        nodes, "tiny_unet",
        [helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 4, "height", "width"]),
         helper.make_tensor_value_info("timestep", TensorProto.FLOAT, t_shape),
         helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch", "sequence", hidden])],
        [helper.make_tensor_value_info("out_sample", TensorProto.FLOAT, ["batch", 4, "height", "width"])],
        [init("shape_col", np.array([-1, 1], np.int64)), init("t_scale", np.array(1000.0, np.float32)),
         init("freqs", freqs), init("shape_c1", np.array([1, c1, 1, 1], np.int64)), init("wt", wt),
         init("shape_nc1", np.array([-1, c1, 1, 1], np.int64)), init("w1", w1), init("b1", b1), init("w2", w2),
         init("b2", b2), init("skip", np.array(0.1, np.float32))],
    )
    save_model(g, path)


def vae_decoder(path: str, rs) -> None:
    w1 = f32(rs, 3 * 64, 4, 1, 1, scale=0.08)
    b1 = f32(rs, 3 * 64, scale=0.05)
    w2 = f32(rs, 3, 3, 3, 3, scale=0.25)
    nodes = [
        helper.make_node("Conv", ["latent_sample", "w1", "b1"], ["h1"]),
        helper.make_node("DepthToSpace", ["h1"], ["h2"], blocksize=8, mode="DCR"),
        helper.make_node("Conv", ["h2", "w2"], ["h3"], pads=[1, 1, 1, 1]),
        helper.make_node("Tanh", ["h3"], ["sample"]),
    ]
    g = helper.make_graph(
        nodes, "tiny_vae_decoder",
        [helper.make_tensor_value_info("latent_sample", TensorProto.FLOAT, ["batch", 4, "latent_height", "latent_width"])],
        [helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        [init("w1", w1), init("b1", b1), init("w2", w2)],
    )
    save_model(g, path)


def tiny_sd(root: str, name: str, seed: int, optimum: bool, pipeline_class: str) -> None:
    d = os.path.join(root, name)
    hidden = 32
    vocab = clip_tokenizer(os.path.join(d, "tokenizer"))
    rs = np.random.RandomState(seed)
    text_encoder(os.path.join(d, "text_encoder", "model.onnx"), rs, vocab, hidden,
                 TensorProto.INT64 if optimum else TensorProto.INT32)
    unet(os.path.join(d, "unet", "model.onnx"), rs, hidden, scalar_timestep=optimum)
    # Exports carry the UNet config; sample_size × 8 is the default image (and audio spectrogram) height.
    write_json(os.path.join(d, "unet", "config.json"), {"sample_size": 8, "in_channels": 4, "out_channels": 4, "cross_attention_dim": hidden})
    vae_decoder(os.path.join(d, "vae_decoder", "model.onnx"), rs)
    sched = {
        "_class_name": "PNDMScheduler" if optimum else "EulerDiscreteScheduler",
        "_diffusers_version": "0.30.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "clip_sample": False,
        "num_train_timesteps": 1000,
        "prediction_type": "epsilon",
        "set_alpha_to_one": False,
        "skip_prk_steps": True,
        "steps_offset": 1,
        "timestep_spacing": "leading",
        "trained_betas": None,
    }
    write_json(os.path.join(d, "scheduler", "scheduler_config.json"), sched)
    write_json(os.path.join(d, "model_index.json"), {
        "_class_name": pipeline_class,
        "_diffusers_version": "0.30.0",
        "feature_extractor": [None, None],
        "requires_safety_checker": False,
        "safety_checker": [None, None],
        "scheduler": ["diffusers", sched["_class_name"]],
        "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"],
        "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"],
        "vae_encoder": [None, None],
    })


def fp16_io(path: str, inputs: list[str], outputs: list[str]) -> None:
    """Rewrites a float32 model so that the named graph inputs and outputs are float16: each input X is Cast to
    float32 as X_f32 before its first use, each output Y is computed as Y_f32 and Cast to float16. Everything in
    between (and every weight) is unchanged, so CPU ORT runs it with float32 kernels."""
    model = onnx.load(path)
    g = model.graph
    ren = {x: x + "_f32" for x in inputs}
    ren.update({y: y + "_f32" for y in outputs})
    for node in g.node:
        for k, name in enumerate(node.input):
            if name in ren:
                node.input[k] = ren[name]
        for k, name in enumerate(node.output):
            if name in ren:
                node.output[k] = ren[name]
    pre = [helper.make_node("Cast", [x], [x + "_f32"], to=TensorProto.FLOAT, name=f"cast_in_{x}") for x in inputs]
    post = [helper.make_node("Cast", [y + "_f32"], [y], to=TensorProto.FLOAT16, name=f"cast_out_{y}") for y in outputs]
    nodes = pre + list(g.node) + post
    del g.node[:]
    g.node.extend(nodes)
    for vi in list(g.input) + list(g.output):
        if vi.name in inputs or vi.name in outputs:
            assert vi.type.tensor_type.elem_type == TensorProto.FLOAT, vi.name
            vi.type.tensor_type.elem_type = TensorProto.FLOAT16
    g.name += "_fp16"
    save_model(g, path)


def tiny_sd_fp16(root: str, name: str, seed: int) -> None:
    """tiny-sd's files and weights (same seed), then float16 at every model boundary."""
    tiny_sd(root, name, seed=seed, optimum=False, pipeline_class="OnnxStableDiffusionPipeline")
    d = os.path.join(root, name)
    fp16_io(os.path.join(d, "text_encoder", "model.onnx"), [], ["last_hidden_state", "pooler_output"])
    fp16_io(os.path.join(d, "unet", "model.onnx"), ["sample", "timestep", "encoder_hidden_states"], ["out_sample"])
    fp16_io(os.path.join(d, "vae_decoder", "model.onnx"), ["latent_sample"], ["sample"])


def int64_timestep(path: str) -> None:
    """Rewrites a float32 UNet so that `timestep` is an int64 input Cast to float before its first use."""
    model = onnx.load(path)
    g = model.graph
    for node in g.node:
        for k, name in enumerate(node.input):
            if name == "timestep":
                node.input[k] = "timestep_f32"
    nodes = [helper.make_node("Cast", ["timestep"], ["timestep_f32"], to=TensorProto.FLOAT, name="cast_in_timestep")]
    nodes += list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    for vi in g.input:
        if vi.name == "timestep":
            vi.type.tensor_type.elem_type = TensorProto.INT64
    g.name += "_int64_timestep"
    save_model(g, path)


def tiny_sd_legacy(root: str, name: str, seed: int) -> None:
    """tiny-sd's files and weights (same seed), an int64 timestep and EulerDiscreteScheduler's default spacing
    (linspace: fractional timesteps, which diffusers truncates with np.array([t], dtype=int64))."""
    tiny_sd(root, name, seed=seed, optimum=False, pipeline_class="OnnxStableDiffusionPipeline")
    d = os.path.join(root, name)
    int64_timestep(os.path.join(d, "unet", "model.onnx"))
    path = os.path.join(d, "scheduler", "scheduler_config.json")
    with open(path, encoding="utf-8") as f:
        sched = json.load(f)
    sched["timestep_spacing"] = "linspace"
    sched["steps_offset"] = 0
    write_json(path, sched)


# --------------------------------------------------------------------------------------------- SD 1.5 shapes

SD15_HIDDEN = 768
SD15_CH = 320


def sd15_text_encoder(path: str, rs, vocab: int) -> None:
    D = SD15_HIDDEN
    g = helper.make_graph(
        [
            helper.make_node("Gather", ["tok_emb", "input_ids"], ["e"], axis=0),
            helper.make_node("Add", ["e", "pos_emb"], ["e2"]),
            helper.make_node("MatMul", ["e2", "w1"], ["h1"]),
            helper.make_node("Tanh", ["h1"], ["h2"]),
            helper.make_node("MatMul", ["h2", "w2"], ["h3"]),
            helper.make_node("Add", ["e2", "h3"], ["last_hidden_state"]),
            helper.make_node("ReduceMean", ["last_hidden_state"], ["pooler_output"], axes=[1], keepdims=0),
        ],
        "sd15_shape_text_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT32, ["batch", "sequence"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", D]),
         helper.make_tensor_value_info("pooler_output", TensorProto.FLOAT, ["batch", D])],
        [init("tok_emb", f32(rs, vocab, D, scale=0.5)), init("pos_emb", f32(rs, SEQ, D, scale=0.1)),
         init("w1", f32(rs, D, D, scale=1.0 / np.sqrt(D))), init("w2", f32(rs, D, D, scale=0.5 / np.sqrt(D)))],
    )
    save_model(g, path)


def sd15_unet(path: str, rs) -> None:
    C, D, A = SD15_CH, SD15_HIDDEN, 64
    nodes = [
        # time embedding [1,C,1,1]: sin(t/1000 · f) → linear
        helper.make_node("Reshape", ["timestep", "shape_col"], ["t_col"]),
        helper.make_node("Div", ["t_col", "t_scale"], ["t_n"]),
        helper.make_node("MatMul", ["t_n", "freqs"], ["t_f"]),
        helper.make_node("Sin", ["t_f"], ["t_sin"]),
        helper.make_node("ReduceMean", ["t_sin"], ["t_m"], axes=[0], keepdims=1),
        helper.make_node("MatMul", ["t_m", "w_t"], ["t_l"]),
        helper.make_node("Reshape", ["t_l", "shape_c"], ["temb"]),
        # conv_in 4→C, + temb, SiLU
        helper.make_node("Conv", ["sample", "w_in", "b_in"], ["h1"], pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["h1", "temb"], ["h2"]),
        helper.make_node("Sigmoid", ["h2"], ["h2s"]),
        helper.make_node("Mul", ["h2", "h2s"], ["h3"]),
        # cross-attention: queries from the N×64×64 positions, keys/values from the 77 text tokens
        helper.make_node("Shape", ["h3"], ["h_shape"]),
        helper.make_node("Reshape", ["h3", "shape_nc_hw"], ["h_flat"]),  # [N,C,HW]
        helper.make_node("Transpose", ["h_flat"], ["h_tok"], perm=[0, 2, 1]),  # [N,HW,C]
        helper.make_node("MatMul", ["h_tok", "w_q"], ["q"]),  # [N,HW,A]
        helper.make_node("MatMul", ["encoder_hidden_states", "w_k"], ["k"]),  # [N,77,A]
        helper.make_node("MatMul", ["encoder_hidden_states", "w_v"], ["v"]),
        helper.make_node("Transpose", ["k"], ["kT"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kT"], ["s_raw"]),  # [N,HW,77]
        helper.make_node("Mul", ["s_raw", "inv_sqrt_a"], ["s"]),
        helper.make_node("Softmax", ["s"], ["p"], axis=-1),
        helper.make_node("MatMul", ["p", "v"], ["att"]),  # [N,HW,A]
        helper.make_node("MatMul", ["att", "w_o"], ["att_o"]),  # [N,HW,C]
        helper.make_node("Transpose", ["att_o"], ["att_c"], perm=[0, 2, 1]),
        helper.make_node("Reshape", ["att_c", "h_shape"], ["att_img"]),
        helper.make_node("Add", ["h3", "att_img"], ["h4"]),
        # 1×1 conv C→C, SiLU, conv_out C→4, + skip
        helper.make_node("Conv", ["h4", "w_mid", "b_mid"], ["h5"]),
        helper.make_node("Sigmoid", ["h5"], ["h5s"]),
        helper.make_node("Mul", ["h5", "h5s"], ["h6"]),
        helper.make_node("Conv", ["h6", "w_out", "b_out"], ["h7"], pads=[1, 1, 1, 1]),
        helper.make_node("Tanh", ["h7"], ["h8"]),
        helper.make_node("Mul", ["sample", "skip"], ["s_skip"]),
        helper.make_node("Add", ["h8", "s_skip"], ["out_sample"]),
    ]
    inits = [
        init("shape_col", np.array([-1, 1], np.int64)), init("t_scale", np.array(1000.0, np.float32)),
        init("freqs", f32(rs, 1, C, scale=3.0)), init("w_t", f32(rs, C, C, scale=1.0 / np.sqrt(C))),
        init("shape_c", np.array([1, C, 1, 1], np.int64)),
        init("w_in", f32(rs, C, 4, 3, 3, scale=0.15)), init("b_in", f32(rs, C, scale=0.05)),
        init("shape_nc_hw", np.array([0, C, -1], np.int64)),
        init("w_q", f32(rs, C, A, scale=1.0 / np.sqrt(C))), init("w_k", f32(rs, D, A, scale=1.0 / np.sqrt(D))),
        init("w_v", f32(rs, D, A, scale=1.0 / np.sqrt(D))), init("w_o", f32(rs, A, C, scale=0.5 / np.sqrt(A))),
        init("inv_sqrt_a", np.array(1.0 / np.sqrt(A), np.float32)),
        init("w_mid", f32(rs, C, C, 1, 1, scale=1.0 / np.sqrt(C))), init("b_mid", f32(rs, C, scale=0.05)),
        init("w_out", f32(rs, 4, C, 3, 3, scale=0.3 / np.sqrt(9 * C))), init("b_out", f32(rs, 4, scale=0.05)),
        init("skip", np.array(0.1, np.float32)),
    ]
    g = helper.make_graph(
        nodes, "sd15_shape_unet",
        [helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 4, "height", "width"]),
         helper.make_tensor_value_info("timestep", TensorProto.FLOAT, ["batch"]),
         helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch", "sequence", D])],
        [helper.make_tensor_value_info("out_sample", TensorProto.FLOAT, ["batch", 4, "height", "width"])],
        inits,
    )
    save_model(g, path)


def sd15_vae_decoder(path: str, rs) -> None:
    chans = [4, 64, 32, 16]
    nodes = [helper.make_node("Conv", ["latent_sample", "w0", "b0"], ["c0"], pads=[1, 1, 1, 1])]
    inits = [init("w0", f32(rs, chans[1], chans[0], 3, 3, scale=0.04 / np.sqrt(9 * chans[0]))), init("b0", f32(rs, chans[1], scale=0.05)),
             init("up_scales", np.array([1, 1, 2, 2], np.float32))]
    x = "c0"
    for i in range(1, 4):
        cin, cout = chans[i], (chans[i + 1] if i + 1 < len(chans) else 3)
        nodes += [
            helper.make_node("Sigmoid", [x], [f"s{i}"]),
            helper.make_node("Mul", [x, f"s{i}"], [f"a{i}"]),
            helper.make_node("Resize", [f"a{i}", "", "up_scales"], [f"u{i}"], mode="nearest"),
            helper.make_node("Conv", [f"u{i}", f"w{i}", f"b{i}"], [f"c{i}"], pads=[1, 1, 1, 1]),
        ]
        inits += [init(f"w{i}", f32(rs, cout, cin, 3, 3, scale=(1.5 if i < 3 else 0.5) / np.sqrt(9 * cin))), init(f"b{i}", f32(rs, cout, scale=0.05))]
        x = f"c{i}"
    nodes.append(helper.make_node("Tanh", [x], ["sample"]))
    g = helper.make_graph(
        nodes, "sd15_shape_vae_decoder",
        [helper.make_tensor_value_info("latent_sample", TensorProto.FLOAT, ["batch", 4, "latent_height", "latent_width"])],
        [helper.make_tensor_value_info("sample", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        inits,
    )
    save_model(g, path)


def sd15_shape(root: str, seed: int = 1515) -> None:
    """A diffusers-layout folder with SD 1.5's I/O shapes (see the module docstring)."""
    d = os.path.join(root, "sd15-shape")
    shutil.rmtree(d, ignore_errors=True)
    vocab = clip_tokenizer(os.path.join(d, "tokenizer"))
    rs = np.random.RandomState(seed)
    sd15_text_encoder(os.path.join(d, "text_encoder", "model.onnx"), rs, vocab)
    sd15_unet(os.path.join(d, "unet", "model.onnx"), rs)
    write_json(os.path.join(d, "unet", "config.json"), {"sample_size": 64, "in_channels": 4, "out_channels": 4, "cross_attention_dim": SD15_HIDDEN})
    sd15_vae_decoder(os.path.join(d, "vae_decoder", "model.onnx"), rs)
    sched = {
        "_class_name": "EulerDiscreteScheduler", "_diffusers_version": "0.30.0", "beta_end": 0.012,
        "beta_schedule": "scaled_linear", "beta_start": 0.00085, "clip_sample": False, "num_train_timesteps": 1000,
        "prediction_type": "epsilon", "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1,
        "timestep_spacing": "leading", "trained_betas": None,
    }
    write_json(os.path.join(d, "scheduler", "scheduler_config.json"), sched)
    write_json(os.path.join(d, "vae_decoder", "config.json"), {"scaling_factor": 0.18215})
    write_json(os.path.join(d, "model_index.json"), {
        "_class_name": "OnnxStableDiffusionPipeline", "_diffusers_version": "0.30.0",
        "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", "EulerDiscreteScheduler"], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": [None, None],
    })
    write_text(os.path.join(d, ".stamp"), f"gen_tiny_models --shapes sd15 onnx={onnx.__version__} numpy={np.__version__}\n")


# --------------------------------------------------------------------------------------------- tiny chat LM

LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
LLAMA3_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
# Llama 3's chat template, shortened (no tools or date handling); the same Jinja features
LLAMA3_TEMPLATE = (
    "{{- bos_token }}{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}"
    "{%- set messages = messages[1:] %}{%- else %}{%- set system_message = 'You are a helpful assistant.' %}{%- endif %}"
    "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message + '<|eot_id|>' }}"
    "{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)


def bytelevel_tokenizer(d: str, n_merges: int = 80, style: str = "gpt2") -> tuple[dict[str, int], list[tuple[str, str]], int]:
    """style "gpt2": GPT-2's tokenizer.json (ByteLevel pre-tokenizer with its regex, no normalizer, no BOS).
    style "llama3": Llama 3 / Qwen 2 features: NFC normalizer, Split on Llama 3's regex then ByteLevel without
    regex, TemplateProcessing adding <|begin_of_text|>, several EOS ids and a chat template."""
    b2u = bytes_to_unicode()
    words: Counter = Counter()
    for line in CORPUS + ["Hello, how are you?", "I am fine, thank you.", "The answer is 42."]:
        for w in re.findall(r" ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+", line):
            syms = tuple(b2u[b] for b in w.encode("utf-8"))
            words[(w, syms)] += 1
    merges = train_bpe(words, n_merges)
    # GPT-2 orders its 256 byte tokens by byte value? No: by bytes_to_unicode order; same here.
    specials = ["<|endoftext|>"] + (LLAMA3_SPECIALS if style == "llama3" else [])
    vocab_list = list(b2u.values()) + [a + b for a, b in merges] + specials
    vocab = {t: i for i, t in enumerate(vocab_list)}
    assert len(vocab) == len(vocab_list)
    eos = vocab["<|eot_id|>" if style == "llama3" else "<|endoftext|>"]
    added = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in specials]
    write_json(os.path.join(d, "vocab.json"), vocab)
    write_text(os.path.join(d, "merges.txt"), "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    write_json(os.path.join(d, "tokenizer.json"), {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"} if style == "llama3" else None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]} if style == "llama3" else
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [vocab["<|begin_of_text|>"]],
                                                      "tokens": ["<|begin_of_text|>"]}}},
        ]} if style == "llama3" else
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]},
    })
    if style == "llama3":
        write_json(os.path.join(d, "tokenizer_config.json"), {
            "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "chat_template": LLAMA3_TEMPLATE,
            "clean_up_tokenization_spaces": True, "model_max_length": 128, "tokenizer_class": "PreTrainedTokenizerFast",
        })
    else:
        write_json(os.path.join(d, "tokenizer_config.json"), {
            "add_prefix_space": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
            "model_max_length": 128, "tokenizer_class": "GPT2Tokenizer", "unk_token": "<|endoftext|>",
        })
    return vocab, merges, eos


def rms_norm(nodes: list, x: str, out: str, eps_name: str) -> None:
    nodes += [
        helper.make_node("Mul", [x, x], [out + "_sq"]),
        helper.make_node("ReduceMean", [out + "_sq"], [out + "_ms"], axes=[-1], keepdims=1),
        helper.make_node("Add", [out + "_ms", eps_name], [out + "_mse"]),
        helper.make_node("Sqrt", [out + "_mse"], [out + "_rms"]),
        helper.make_node("Div", [x, out + "_rms"], [out]),
    ]


def tiny_chat(root: str, seed: int = 4242, name: str = "tiny-chat", style: str = "gpt2") -> None:
    d = os.path.join(root, name)
    vocab, _merges, eos = bytelevel_tokenizer(d, style=style)
    V = len(vocab)
    L, H, Dh = 2, 2, 8
    D = H * Dh
    P = 128
    rs = np.random.RandomState(seed)
    inits = [
        init("wte", f32(rs, V, D, scale=1.0)),
        init("wpe", f32(rs, P, D, scale=0.3)),
        init("eps", np.array(1e-5, np.float32)),
        init("shape_heads", np.array([0, 0, H, Dh], np.int64)),
        init("shape_merge", np.array([0, 0, D], np.int64)),
        init("inv_sqrt_dh", np.array(1.0 / np.sqrt(Dh), np.float32)),
        init("neg_big", np.array(-1e9, np.float32)),
        init("zero_i", np.array(0, np.int64)),
        init("one_i", np.array(1, np.int64)),
        init("axes12", np.array([1, 2], np.int64)),
        init("axesm1", np.array([-1], np.int64)),
        # a fixed "length head": the EOS logit grows with the position, so generation ends by itself
        init("eos_onehot", np.eye(V, dtype=np.float32)[eos]),
        init("eos_slope", np.array(0.35, np.float32)),
        # the chat template makes prompts ~50 tokens longer: the EOS logit takes over correspondingly later
        init("eos_offset", np.array(9.0 + (0.35 * 50 if style == "llama3" else 0.0), np.float32)),
    ]
    nodes = [
        helper.make_node("Gather", ["wte", "input_ids"], ["tok"], axis=0),
        helper.make_node("Gather", ["wpe", "position_ids"], ["pos"], axis=0),
        helper.make_node("Add", ["tok", "pos"], ["x0"]),
        # causal mask over [s, T] with T = past + s, combined with attention_mask [b, T]
        helper.make_node("Shape", ["input_ids"], ["ids_shape"]),
        helper.make_node("Gather", ["ids_shape", "one_i"], ["s_len"], axis=0),
        helper.make_node("Shape", ["attention_mask"], ["am_shape"]),
        helper.make_node("Gather", ["am_shape", "one_i"], ["t_len"], axis=0),
        helper.make_node("Sub", ["t_len", "s_len"], ["past_len"]),
        helper.make_node("Range", ["zero_i", "t_len", "one_i"], ["k_pos"]),
        helper.make_node("Range", ["past_len", "t_len", "one_i"], ["q_pos"]),
        helper.make_node("Unsqueeze", ["q_pos", "axesm1"], ["q_col"]),
        helper.make_node("LessOrEqual", ["k_pos", "q_col"], ["causal"]),  # [s, T]
        helper.make_node("Cast", ["attention_mask"], ["am_b"], to=TensorProto.BOOL),
        helper.make_node("Unsqueeze", ["am_b", "axes12"], ["am_4"]),  # [b,1,1,T]
        helper.make_node("And", ["causal", "am_4"], ["mask"]),  # [b,1,s,T]
    ]
    x = "x0"
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", V])]
    for i in range(L):
        p = f"l{i}_"
        for nm in ("wq", "wk", "wv", "wo"):
            inits.append(init(p + nm, f32(rs, D, D, scale=1.0 / np.sqrt(D))))
        inits.append(init(p + "w1", f32(rs, D, 2 * D, scale=1.0 / np.sqrt(D))))
        inits.append(init(p + "w2", f32(rs, 2 * D, D, scale=1.0 / np.sqrt(2 * D))))
        pk, pv = f"past_key_values.{i}.key", f"past_key_values.{i}.value"
        ok, ov = f"present.{i}.key", f"present.{i}.value"
        inputs += [helper.make_tensor_value_info(pk, TensorProto.FLOAT, ["batch_size", H, "past_sequence_length", Dh]),
                   helper.make_tensor_value_info(pv, TensorProto.FLOAT, ["batch_size", H, "past_sequence_length", Dh])]
        outputs += [helper.make_tensor_value_info(ok, TensorProto.FLOAT, ["batch_size", H, "total_sequence_length", Dh]),
                    helper.make_tensor_value_info(ov, TensorProto.FLOAT, ["batch_size", H, "total_sequence_length", Dh])]
        rms_norm(nodes, x, p + "n1", "eps")
        for nm in ("q", "k", "v"):
            nodes += [
                helper.make_node("MatMul", [p + "n1", p + "w" + nm], [p + nm + "_flat"]),
                helper.make_node("Reshape", [p + nm + "_flat", "shape_heads"], [p + nm + "_bshd"]),
                helper.make_node("Transpose", [p + nm + "_bshd"], [p + nm + "_h"], perm=[0, 2, 1, 3]),
            ]
        nodes += [
            helper.make_node("Concat", [pk, p + "k_h"], [ok], axis=2),
            helper.make_node("Concat", [pv, p + "v_h"], [ov], axis=2),
            helper.make_node("Transpose", [ok], [p + "kT"], perm=[0, 1, 3, 2]),
            helper.make_node("MatMul", [p + "q_h", p + "kT"], [p + "scores_raw"]),
            helper.make_node("Mul", [p + "scores_raw", "inv_sqrt_dh"], [p + "scores"]),
            helper.make_node("Where", ["mask", p + "scores", "neg_big"], [p + "scores_m"]),
            helper.make_node("Softmax", [p + "scores_m"], [p + "probs"], axis=-1),
            helper.make_node("MatMul", [p + "probs", ov], [p + "ctx"]),
            helper.make_node("Transpose", [p + "ctx"], [p + "ctx_t"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [p + "ctx_t", "shape_merge"], [p + "ctx_m"]),
            helper.make_node("MatMul", [p + "ctx_m", p + "wo"], [p + "attn"]),
            helper.make_node("Add", [x, p + "attn"], [p + "x1"]),
        ]
        rms_norm(nodes, p + "x1", p + "n2", "eps")
        nodes += [
            helper.make_node("MatMul", [p + "n2", p + "w1"], [p + "m1"]),
            helper.make_node("Tanh", [p + "m1"], [p + "m2"]),
            helper.make_node("MatMul", [p + "m2", p + "w2"], [p + "m3"]),
            helper.make_node("Add", [p + "x1", p + "m3"], [p + "x2"]),
        ]
        x = p + "x2"
    rms_norm(nodes, x, "nf", "eps")
    inits.append(init("lm_head", f32(rs, D, V, scale=2.0 / np.sqrt(D))))
    nodes += [
        helper.make_node("MatMul", ["nf", "lm_head"], ["logits_raw"]),
        helper.make_node("Cast", ["position_ids"], ["pos_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["pos_f", "eos_slope"], ["eos_a"]),
        helper.make_node("Sub", ["eos_a", "eos_offset"], ["eos_b"]),
        helper.make_node("Unsqueeze", ["eos_b", "axesm1"], ["eos_c"]),
        helper.make_node("Mul", ["eos_c", "eos_onehot"], ["eos_bias"]),
        helper.make_node("Add", ["logits_raw", "eos_bias"], ["logits"]),
    ]
    g = helper.make_graph(nodes, "tiny_chat_lm", inputs, outputs, inits)
    save_model(g, os.path.join(d, "onnx", "model.onnx"))
    write_json(os.path.join(d, "config.json"), {
        "architectures": ["TinyLMForCausalLM"], "model_type": "tiny-lm", "vocab_size": V, "hidden_size": D,
        "num_hidden_layers": L, "num_attention_heads": H, "num_key_value_heads": H, "head_dim": Dh,
        "max_position_embeddings": P, "bos_token_id": eos, "eos_token_id": eos, "use_cache": True,
    })
    if style == "llama3":
        # like Llama 3 Instruct: generation stops on <|end_of_text|> or <|eot_id|>
        bos = vocab["<|begin_of_text|>"]
        write_json(os.path.join(d, "generation_config.json"),
                   {"bos_token_id": bos, "eos_token_id": [vocab["<|end_of_text|>"], eos], "max_new_tokens": 64})
    else:
        write_json(os.path.join(d, "generation_config.json"), {"bos_token_id": eos, "eos_token_id": eos, "max_new_tokens": 64})


# --------------------------------------------------------------------------------------------- main

def main() -> int:
    args = sys.argv[1:]
    shapes = None
    if "--shapes" in args:
        i = args.index("--shapes")
        if i + 1 >= len(args) or args[i + 1] != "sd15":
            print("--shapes takes one value: sd15", file=sys.stderr)
            return 2
        shapes = args[i + 1]
        del args[i:i + 2]
    here = os.path.dirname(os.path.abspath(__file__))
    if shapes == "sd15":
        target = os.path.abspath(args[0] if args else os.path.join(here, "..", "bench", "out", "models"))
        os.makedirs(target, exist_ok=True)
        sd15_shape(target)
        print(f"wrote {os.path.join(target, 'sd15-shape')}")
        return 0
    target = args[0] if args else os.path.join(here, "..", "fixtures", "models")
    target = os.path.abspath(target)
    os.makedirs(target, exist_ok=True)
    stamp = os.path.join(target, ".stamp")
    if os.path.exists(stamp):
        os.remove(stamp)
    for name in ("tiny-sd", "tiny-sd-optimum", "tiny-sd-fp16", "tiny-sd-legacy", "tiny-audio", "tiny-chat", "tiny-chat-llama3"):
        shutil.rmtree(os.path.join(target, name), ignore_errors=True)
    tiny_sd(target, "tiny-sd", seed=1234, optimum=False, pipeline_class="OnnxStableDiffusionPipeline")
    tiny_sd(target, "tiny-sd-optimum", seed=1234, optimum=True, pipeline_class="ORTStableDiffusionPipeline")
    tiny_sd_fp16(target, "tiny-sd-fp16", seed=1234)
    tiny_sd_legacy(target, "tiny-sd-legacy", seed=1234)
    tiny_sd(target, "tiny-audio", seed=5678, optimum=False, pipeline_class="OnnxStableDiffusionPipeline")
    tiny_chat(target)
    tiny_chat(target, seed=4343, name="tiny-chat-llama3", style="llama3")
    write_text(stamp, f"gen_tiny_models onnx={onnx.__version__} numpy={np.__version__}\n")
    print(f"wrote tiny models to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
