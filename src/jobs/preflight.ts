// The last check before a LUNC-side signature: the job message against the ML chain's live state, exactly as x/ml
// will judge it on delivery, so a packet the host would refuse never costs the user LUNC gas.
import { withAbciQuery } from '../core/chain-client.js';
import { ChainError, UsageError } from '../core/errors.js';
import type { ProfileSet } from '../core/profiles.js';
import type { AnyMsg } from '../ica/msg-types.js';
import { queryExecutors, queryParams } from '../ica/ml-query.js';
import { defaultLimits, validateHostMsg } from '../ica/validate.js';
import { checkFeeAgainst } from './funds.js';

/** What the pre-flight judges a job against: x/ml's live params and executors. */
export interface HostView {
  params: Awaited<ReturnType<typeof queryParams>>;
  executors: Awaited<ReturnType<typeof queryExecutors>>;
}

/** Reads the host's params and executors (both at once); undefined without a host chain in the profile. */
export async function readHostView(profile: ProfileSet): Promise<HostView | undefined> {
  const host = profile.host;
  if (!host) return undefined;
  return withAbciQuery(host, async (q) => {
    const [params, executors] = await Promise.all([queryParams(q), queryExecutors(q)]);
    return { params, executors };
  });
}

/** Live params (limits, allowed models, accepted fees) and a serving executor for the model. */
export async function preflight(msg: AnyMsg, profile: ProfileSet, view?: HostView): Promise<void> {
  const host = profile.host;
  if (!host) return;
  const v = msg.value as { model?: string; maxFee?: { denom: string; amount: string } };
  const { params, executors } = view ?? (await readHostView(profile))!;
  validateHostMsg(msg, {
    signerPrefix: host.prefix,
    limits: {
      maxPromptBytes: params.maxPromptBytes,
      maxSteps: params.maxSteps,
      maxImageSize: params.maxImageSize,
      maxNumImages: params.maxNumImages,
      maxDurationMs: params.maxDurationMs,
      maxTokens: params.maxTokens,
      sealedEnvelopeBytes: defaultLimits.sealedEnvelopeBytes,
    },
  });
  if (v.model !== undefined && !params.allowedModels.includes(v.model)) {
    throw new UsageError(`${host.chainId} does not allow the model "${v.model}"`, { code: 'model_not_allowed', hint: `use one of: ${params.allowedModels.join(', ')} (--model)` });
  }
  if (v.maxFee) checkFeeAgainst(params, v.maxFee, profile);
  if (v.model !== undefined && !executors.some((e) => e.active && e.models.includes(v.model!))) {
    throw new ChainError('no_executor', `no active executor on ${host.chainId} serves the model "${v.model}" right now`, {
      chainId: host.chainId,
      hint: 'nothing was sent; pick another --model (`lunc-ml query executors` lists what is served) or try later',
    });
  }
}
