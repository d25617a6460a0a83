// A job with num_images = k > 1 reports one output per image. On chain it names a small JSON manifest (its sha256
// is the job's output_sha256); the manifest lists each image's sha256, size and URI, so a client fetches and
// verifies them one by one. Image i is generated with seed + i (mod 2^64) as a one-image job, which is what lets
// an executor with several devices run a job's images in parallel, and what `gpu run` must do to reproduce one.
// A one-image job stays a plain PNG.

export const MANIFEST_MIME = 'application/vnd.lunc-ml.images+json';
/** Manifest files are small; anything bigger is not one of ours. */
export const MANIFEST_MAX_BYTES = 64 * 1024;
/** More images than any chain parameter allows (x/ml's max_num_images defaults to 4). */
export const MANIFEST_MAX_IMAGES = 64;

const U64 = (1n << 64n) - 1n;

export interface ManifestImage {
  index: number;
  /** The seed this image was generated with, as a decimal string. */
  seed: string;
  sha256: string;
  size: number;
  uri: string;
  mime: string;
}

export interface ImagesManifest {
  version: 1;
  kind: 'lunc-ml/images';
  /** When true each image is sealed to the requester's reply key (the manifest itself is not: it holds only hashes). */
  sealed: boolean;
  images: ManifestImage[];
}

/** Seeds of a k-image job: seed, seed+1, … wrapping at 2^64 like the chain's uint64. */
export function imageSeeds(seed: bigint, k: number): bigint[] {
  return Array.from({ length: k }, (_, i) => (seed + BigInt(i)) & U64);
}

/**
 * A k-image image job as the k one-image jobs that make it: image i with seed + i (imageSeeds). The executor runs
 * them on its free devices and `gpu run --num-images k` one after another, both through here, so a job's images are
 * reproduced byte for byte. Any other job is returned as it is.
 */
export function oneImageJobs<T extends { kind: string; params: { seed?: number | bigint; numImages?: number } }>(job: T): T[] {
  const k = job.params.numImages ?? 1;
  if (job.kind !== 'image' || k <= 1) return [job];
  return imageSeeds(BigInt(job.params.seed ?? 0), k).map((seed) => ({ ...job, params: { ...job.params, seed, numImages: 1 } }));
}

/** The manifest's bytes: fixed key order, no whitespace, so the same images give the same sha256. */
export function encodeManifest(m: ImagesManifest): Uint8Array {
  const images = m.images.map((i) => ({ index: i.index, seed: i.seed, sha256: i.sha256, size: i.size, uri: i.uri, mime: i.mime }));
  return new TextEncoder().encode(JSON.stringify({ version: m.version, kind: m.kind, sealed: m.sealed, images }));
}

/** Parses and checks a manifest (it comes from an executor: every field is checked). Throws Error with the reason. */
export function parseManifest(bytes: Uint8Array): ImagesManifest {
  if (bytes.length > MANIFEST_MAX_BYTES) throw new Error(`manifest is ${bytes.length} bytes, over ${MANIFEST_MAX_BYTES}`);
  let m: any;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new Error(`manifest is not JSON: ${(e as Error).message}`);
  }
  if (m?.version !== 1 || m?.kind !== 'lunc-ml/images') throw new Error(`not a lunc-ml images manifest (version ${JSON.stringify(m?.version)}, kind ${JSON.stringify(m?.kind)})`);
  if (typeof m.sealed !== 'boolean') throw new Error('manifest has no "sealed" flag');
  if (!Array.isArray(m.images) || m.images.length < 1 || m.images.length > MANIFEST_MAX_IMAGES) throw new Error(`manifest lists ${Array.isArray(m.images) ? m.images.length : 'no'} images`);
  const images: ManifestImage[] = m.images.map((i: any, n: number) => {
    const ok =
      i &&
      i.index === n &&
      typeof i.seed === 'string' &&
      /^\d{1,20}$/.test(i.seed) &&
      typeof i.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(i.sha256) &&
      Number.isSafeInteger(i.size) &&
      i.size >= 0 &&
      typeof i.uri === 'string' &&
      typeof i.mime === 'string';
    if (!ok) throw new Error(`manifest image ${n} is malformed`);
    return { index: i.index, seed: i.seed, sha256: i.sha256, size: i.size, uri: i.uri, mime: i.mime };
  });
  return { version: 1, kind: 'lunc-ml/images', sealed: m.sealed, images };
}
