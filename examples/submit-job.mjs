// A bot that sends an image job from the LUNC side and saves the verified PNG, with the library instead of the CLI.
//   npm run build
//   LUNC_ML_PROFILE=.lunc-ml/devnet/profile.json LUNC_ML_MNEMONIC="word word ..." node examples/submit-job.mjs out.png
// The signer's interchain account must exist and hold the fee (see README: tx register, tx fund).
import { readProfileFile, mnemonicSigner, submitJob, waitForJob, getJobStory, createLogger, DEFAULT_CONNECTION_ID } from 'lunc-ml';

const out = process.argv[2] ?? 'example.png';
const mnemonic = process.env.LUNC_ML_MNEMONIC;
if (!mnemonic) throw new Error('set LUNC_ML_MNEMONIC to the mnemonic of a LUNC-side account');
const profile = readProfileFile(process.env.LUNC_ML_PROFILE ?? '.lunc-ml/devnet/profile.json');
const ctx = {
  profile,
  signer: mnemonicSigner(mnemonic, profile.controller.coinType),
  logger: createLogger({ level: 'warn' }),
  broadcast: { gas: 'auto', gasAdjustment: 1.4, gasPrice: profile.controller.gasPrice },
};
const route = { connectionId: profile.connectionId ?? DEFAULT_CONNECTION_ID, encoding: 'proto3', relativeTimeoutNs: 600_000_000_000n };

const sent = await submitJob(ctx, { kind: 'image', prompt: 'a lighthouse at dawn', width: 64, height: 64, steps: 4, seed: 7n }, { route });
const job = await waitForJob(profile, sent, { timeoutMs: 240_000 });
const story = await getJobStory(profile.host, job.id, { download: out });
console.log(JSON.stringify({ txHash: sent.txHash, jobId: story.id, sha256: story.result.outputSha256, file: story.download.path }));
