#!/usr/bin/env python3
"""Reference values for test/gpu/schedulers.test.ts, written independently with numpy from the formulas in
diffusers' scheduling_euler_discrete.py, scheduling_euler_ancestral_discrete.py, scheduling_ddim.py and
scheduling_lcm.py (float64 throughout). Regenerate with:

    python3 test/gpu/reference/schedulers.py > test/gpu/reference/schedulers.json
"""
import json
import numpy as np

N = 1000
ac = np.cumprod(1.0 - np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, N) ** 2)
ac_lin = np.cumprod(1.0 - np.linspace(0.0001, 0.02, N))
train_sigmas = np.sqrt((1 - ac) / ac)


def spaced(n, spacing, offset, integer):
    if spacing == "linspace":
        t = np.linspace(0, N - 1, n)[::-1].copy()
        return t.round() if integer else t
    if spacing == "leading":
        return (np.arange(0, n) * (N // n)).round()[::-1].astype(np.float64) + offset
    return np.round(np.arange(N, 0, -N / n)) - 1


def euler(n, spacing, offset=1):
    t = spaced(n, spacing, offset, False)
    s = np.interp(t, np.arange(0, N), train_sigmas)
    s = np.concatenate([s, [0.0]])
    init = s.max() if spacing in ("linspace", "trailing") else np.sqrt(s.max() ** 2 + 1)
    return t, s, init


out = {}
for name, n, spacing in [("leading10", 10, "leading"), ("linspace7", 7, "linspace"), ("trailing4", 4, "trailing")]:
    t, s, init = euler(n, spacing)
    out["euler_" + name] = {"timesteps": t.tolist(), "sigmas": s.tolist(), "init_noise_sigma": float(init)}
for name, n, spacing in [("leading10", 10, "leading"), ("linspace6", 6, "linspace"), ("trailing4", 4, "trailing")]:
    out["ddim_" + name] = {"timesteps": spaced(n, spacing, 1, True).tolist()}

orig = 50
k = N // orig
origin = (np.arange(1, orig + 1) * k - 1)[::-1]
for n in (1, 4, 8):
    idx = np.floor(np.linspace(0, len(origin), num=n, endpoint=False)).astype(np.int64)
    out[f"lcm_{n}"] = {"timesteps": origin[idx].tolist()}

x = np.array([0.5, -1.0, 2.0])
m = np.array([0.1, 0.2, -0.3])

# Euler step (epsilon and v_prediction) at the first of 10 leading steps
t, s, _ = euler(10, "leading")
sig, nxt = s[0], s[1]
x0 = x - sig * m
out["euler_step_eps"] = (x + (x - x0) / sig * (nxt - sig)).tolist()
x0v = m * (-sig / np.sqrt(sig ** 2 + 1)) + x / (sig ** 2 + 1)
out["euler_step_v"] = (x + (x - x0v) / sig * (nxt - sig)).tolist()
out["euler_scale_input"] = (x / np.sqrt(sig ** 2 + 1)).tolist()
# Euler ancestral with zero noise at step 3
sig, nxt = s[3], s[4]
up = np.sqrt(nxt ** 2 * (sig ** 2 - nxt ** 2) / sig ** 2)
down = np.sqrt(nxt ** 2 - up ** 2)
out["euler_a_step3_zero_noise"] = (x + (x - (x - sig * m)) / sig * (down - sig)).tolist()
out["euler_a_step3_sigma_up"] = float(up)

# DDIM step, 10 leading steps, set_alpha_to_one False: at t=901 and the last t=1
for tt in (901, 1):
    prev = tt - N // 10
    a, ap = ac[tt], (ac[prev] if prev >= 0 else ac[0])
    x0 = (x - np.sqrt(1 - a) * m) / np.sqrt(a)
    out[f"ddim_step_eps_t{tt}"] = (np.sqrt(ap) * x0 + np.sqrt(1 - ap) * m).tolist()
a, ap = ac[901], ac[801]
x0 = np.sqrt(a) * x - np.sqrt(1 - a) * m
eps = np.sqrt(a) * m + np.sqrt(1 - a) * x
out["ddim_step_v_t901"] = (np.sqrt(ap) * x0 + np.sqrt(1 - ap) * eps).tolist()
# DDIM with a linear beta schedule
a, ap = ac_lin[901], ac_lin[801]
out["ddim_linear_step_eps_t901"] = (np.sqrt(ap) * (x - np.sqrt(1 - a) * m) / np.sqrt(a) + np.sqrt(1 - ap) * m).tolist()

# LCM single step (no noise: last step) with 1 step → t = 999
tt = 999
a = ac[tt]
st = tt * 10.0
c_skip = 0.25 / (st ** 2 + 0.25)
c_out = st / np.sqrt(st ** 2 + 0.25)
x0 = (x - np.sqrt(1 - a) * m) / np.sqrt(a)
out["lcm_1_step"] = (c_out * x0 + c_skip * x).tolist()

print(json.dumps(out, indent=1))
