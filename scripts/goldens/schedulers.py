#!/usr/bin/env python3
"""Golden scheduler values from diffusers itself, for test/gpu/schedulers.test.ts.

    python3 scripts/goldens/schedulers.py    # writes test/gpu/goldens/schedulers.json (or: regenerate.sh)

Needs diffusers and torch (scripts/goldens/requirements.txt); the JSON records the diffusers version used.

For each case (a scheduler class and a scheduler_config.json object over a grid of the keys that change the result)
it records what diffusers computes after set_timesteps(steps): timesteps, sigmas (Euler, DPM-Solver),
init_noise_sigma, and a whole sampling loop on a fixed 16-value latent with a fixed stand-in model:

    x = cos(0.9·j) · init_noise_sigma
    for i, t in enumerate(timesteps):
        xin = scale_model_input(x, t)                 # the factor xin/x is recorded per step ("input_scales")
        m   = 0.3·xin + 0.2·sin(0.7·j + i)           # j = element index
        x   = step(m, t, x)                           # the first step's result is recorded ("first_step")
    "final" = x

Stochastic schedulers (Euler ancestral, LCM) get their noise from a fixed sequence, noise_k = sin(1.3·k + 0.5) over
every value drawn, in order, instead of torch's generator; the TypeScript test feeds the same sequence.
Everything runs in float32 as diffusers does; the test compares to ~1e-5.
"""
from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import torch
import diffusers
from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    LCMScheduler,
    PNDMScheduler,
)
from diffusers.schedulers import scheduling_euler_ancestral_discrete, scheduling_lcm

N_ELEMS = 16
SHAPE = (1, 4, 2, 2)


class FixedNoise:
    """Replaces diffusers' randn_tensor: sin(1.3·k + 0.5) for k = 0, 1, 2, … across calls."""

    def __init__(self) -> None:
        self.k = 0

    def __call__(self, shape, generator=None, device=None, dtype=None, layout=None, **_kw):
        n = int(np.prod(shape))
        vals = np.sin(1.3 * (np.arange(n) + self.k) + 0.5)
        self.k += n
        return torch.tensor(vals.reshape(shape), dtype=dtype or torch.float32)


def run_case(cls, config: dict, steps: int) -> dict:
    noise = FixedNoise()
    scheduling_euler_ancestral_discrete.randn_tensor = noise
    scheduling_lcm.randn_tensor = noise
    s = cls.from_config(config)
    s.set_timesteps(steps)
    j = torch.arange(N_ELEMS, dtype=torch.float64)
    init = float(s.init_noise_sigma)
    x = (torch.cos(0.9 * j) * init).to(torch.float32).reshape(SHAPE)
    scales = []
    first = None
    for i, t in enumerate(s.timesteps):
        xin = s.scale_model_input(x, t)
        scales.append(float((xin.double() / x.double()).flatten()[0]) if float(x.flatten()[0]) != 0 else 1.0)
        m = (0.3 * xin.double().flatten() + 0.2 * torch.sin(0.7 * j + i)).to(torch.float32).reshape(SHAPE)
        x = s.step(m, t, x).prev_sample
        if first is None:
            first = x.flatten().tolist()
    out = {
        "timesteps": [float(t) for t in s.timesteps],
        "init_noise_sigma": init,
        "input_scales": scales,
        "first_step": first,
        "final": x.flatten().tolist(),
    }
    if hasattr(s, "sigmas") and cls in (EulerDiscreteScheduler, EulerAncestralDiscreteScheduler, DPMSolverMultistepScheduler):
        out["sigmas"] = [float(v) for v in s.sigmas]
    return out


SD = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear"}


def grid() -> list[tuple[str, type, dict, int]]:
    cases: list[tuple[str, type, dict, int]] = []

    def add(cls, cfg: dict, steps_list=(4, 25)) -> None:
        for n in steps_list:
            name = f"{cls.__name__}:{json.dumps(cfg, sort_keys=True)}:{n}"
            cases.append((name, cls, cfg, n))

    # Euler (and ancestral): spacing (class default linspace when absent), betas, prediction, sigma schedules
    for cls in (EulerDiscreteScheduler, EulerAncestralDiscreteScheduler):
        add(cls, {})
        add(cls, dict(SD))
        for spacing in ("leading", "trailing", "linspace"):
            add(cls, {**SD, "timestep_spacing": spacing, "steps_offset": 1})
        add(cls, {**SD, "prediction_type": "v_prediction", "timestep_spacing": "trailing"})
        add(cls, {**SD, "rescale_betas_zero_snr": True, "prediction_type": "v_prediction", "timestep_spacing": "trailing"})
        add(cls, {**SD, "num_train_timesteps": 500, "timestep_spacing": "leading", "steps_offset": 1})
        add(cls, {"beta_start": 0.001, "beta_end": 0.03, "trained_betas": np.linspace(0.001, 0.03, 1000).tolist()}, (6,))
    E = EulerDiscreteScheduler
    add(E, {**SD, "prediction_type": "sample"})
    # (Euler ancestral with the cosine schedule overflows float32 in diffusers itself: σ_T² is inf)
    add(E, {"beta_schedule": "squaredcos_cap_v2"})
    for spacing in ("leading", "linspace", "trailing"):
        add(E, {**SD, "use_karras_sigmas": True, "timestep_spacing": spacing, "steps_offset": 1})
    add(E, {**SD, "use_karras_sigmas": True, "sigma_min": 0.05, "sigma_max": 10.0})
    add(E, {**SD, "use_exponential_sigmas": True})
    add(E, {**SD, "use_exponential_sigmas": True, "timestep_spacing": "leading", "steps_offset": 1})
    add(E, {**SD, "interpolation_type": "log_linear"})
    add(E, {**SD, "final_sigmas_type": "sigma_min"})
    add(E, {**SD, "use_karras_sigmas": True, "final_sigmas_type": "sigma_min"})
    add(E, {**SD, "timestep_type": "continuous", "prediction_type": "v_prediction"})
    add(E, {**SD, "timestep_type": "continuous", "prediction_type": "epsilon"})

    # DDIM: clip_sample (default True), clip_sample_range, set_alpha_to_one (default True), spacing (default leading)
    D = DDIMScheduler
    add(D, {})
    add(D, dict(SD))
    add(D, {**SD, "clip_sample": False, "set_alpha_to_one": False, "steps_offset": 1})
    add(D, {**SD, "clip_sample": True, "clip_sample_range": 1.5, "steps_offset": 1})
    for spacing in ("leading", "trailing", "linspace"):
        add(D, {**SD, "clip_sample": False, "timestep_spacing": spacing})
    add(D, {**SD, "clip_sample": False, "prediction_type": "v_prediction", "rescale_betas_zero_snr": True, "timestep_spacing": "trailing"})
    add(D, {**SD, "prediction_type": "sample"})
    add(D, {"beta_schedule": "squaredcos_cap_v2", "clip_sample": False})

    # LCM: its own timesteps (original_inference_steps), boundary scalings, clip_sample (default False)
    L = LCMScheduler
    add(L, {}, (1, 4, 8))
    add(L, {"clip_sample": True, "clip_sample_range": 0.5}, (4,))
    add(L, {"set_alpha_to_one": False, "original_inference_steps": 25, "timestep_scaling": 5.0}, (4, 8))
    add(L, {"prediction_type": "v_prediction", "rescale_betas_zero_snr": True}, (4,))
    add(L, {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}, (4,))

    # PNDM (PLMS, skip_prk_steps): Stable Diffusion 1.x's scheduler
    N = PNDMScheduler
    SD15 = {**SD, "skip_prk_steps": True, "steps_offset": 1, "set_alpha_to_one": False}
    add(N, SD15, (1, 2, 3, 4, 6, 25))
    add(N, {**SD15, "timestep_spacing": "linspace"}, (5, 25))
    add(N, {**SD15, "timestep_spacing": "trailing"}, (5, 25))
    add(N, {**SD15, "prediction_type": "v_prediction", "set_alpha_to_one": True}, (10,))
    add(N, {"skip_prk_steps": True}, (10,))

    # DPM-Solver++ 2M (and its variants)
    P = DPMSolverMultistepScheduler
    add(P, {}, (4, 10, 25))
    add(P, dict(SD), (4, 10, 25))
    for spacing in ("leading", "trailing", "linspace"):
        add(P, {**SD, "use_karras_sigmas": True, "timestep_spacing": spacing, "steps_offset": 1}, (4, 10, 25))
    add(P, {**SD, "use_karras_sigmas": True, "lower_order_final": False}, (10, 20))
    add(P, {**SD, "euler_at_final": True}, (10, 20))
    add(P, {**SD, "use_karras_sigmas": True, "final_sigmas_type": "sigma_min"}, (10, 20))
    add(P, {**SD, "solver_type": "heun"}, (10,))
    add(P, {**SD, "solver_order": 1}, (10,))
    add(P, {**SD, "algorithm_type": "dpmsolver", "final_sigmas_type": "sigma_min"}, (10,))
    add(P, {**SD, "prediction_type": "v_prediction", "timestep_spacing": "trailing"}, (10,))
    add(P, {**SD, "prediction_type": "sample"}, (10,))
    add(P, {**SD, "use_exponential_sigmas": True}, (10,))
    # not __init__ arguments of this class, yet read from the config when present (hasattr(config, "sigma_min"))
    add(P, {**SD, "use_karras_sigmas": True, "sigma_min": 0.05, "sigma_max": 10.0}, (10,))
    add(P, {"beta_schedule": "squaredcos_cap_v2"}, (10,))
    add(P, {**SD, "rescale_betas_zero_snr": True, "prediction_type": "v_prediction", "timestep_spacing": "trailing"}, (10,))
    add(P, {**SD, "lambda_min_clipped": -5.1}, (10,))
    add(P, {**SD, "steps_offset": 1, "timestep_spacing": "leading"}, (10,))
    return cases


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "test", "gpu", "goldens", "schedulers.json")
    cases = []
    for name, cls, cfg, n in grid():
        try:
            res = run_case(cls, cfg, n)
        except Exception as e:  # noqa: BLE001 — report which grid point diffusers itself rejects
            raise SystemExit(f"{name}: {type(e).__name__}: {e}") from e
        cases.append({"name": name, "class": cls.__name__, "config": cfg, "steps": n, **res})
    doc = {
        "generator": "scripts/goldens/schedulers.py",
        "diffusers": diffusers.__version__,
        "torch": torch.__version__.split("+")[0],
        "cases": cases,
    }
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
