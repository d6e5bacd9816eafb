import { createHash } from 'node:crypto';
import type { CallRequest } from './plan-call.js';

export interface RequestFingerprints {
  /** Same model and same prompt. */
  request: string;
  /** Same prompt, whatever the model (to see a retry move to another model). */
  prompt: string;
}

/** Hashes of what a request sends, computed only for scopes with retry or repeat caps. */
export function fingerprintRequest(request: CallRequest, model: string): RequestFingerprints {
  const prompt = createHash('sha1');
  for (const text of request.prompt.texts) prompt.update(text).update('\u0000');
  const promptDigest = prompt.digest('base64');
  return { prompt: promptDigest, request: `${request.provider}/${model}/${promptDigest}` };
}
