import type { RuleKind } from './types.js';

/**
 * What a verifyImages rule needs from the signing module: verify every image reference of the
 * resource that the rule's `imageReferences` select against its `attestors` / `attestations`.
 * The admission webhook constructs one and passes it to `verifyImagesRule`.
 */
export interface ImageVerifier {
  verify(request: { readonly rule: unknown; readonly images: readonly string[]; readonly signal?: AbortSignal }): Promise<{ readonly ok: boolean; readonly message: string }>;
}

/**
 * `verifyImages` rules. Without a verifier (the default today) every such rule evaluates to
 * `error`, saying that signature verification is missing, rather than passing silently.
 */
export function verifyImagesRule(verifier?: ImageVerifier): RuleKind {
  return {
    name: 'verify-images',
    appliesTo: (rule) => Array.isArray(rule.verifyImages) && rule.verifyImages.length > 0,
    evaluate: async (input) => {
      if (!verifier) {
        return { status: 'error', message: `rule '${input.rule.name}': verifyImages needs image signature verification, which bosun's policy engine does not provide yet` };
      }
      const images = collectImages(input.context.data);
      const r = await verifier.verify({ rule: input.rule.verifyImages, images, ...(input.signal ? { signal: input.signal } : {}) });
      return { status: r.ok ? 'pass' : 'fail', message: r.message };
    },
  };
}

function collectImages(data: unknown): string[] {
  const images = (data as { images?: Record<string, Record<string, { reference?: string }>> }).images ?? {};
  return Object.values(images).flatMap((byName) => Object.values(byName).map((i) => i.reference ?? '')).filter(Boolean);
}
