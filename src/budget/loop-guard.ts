import type { RequestFingerprints } from './request-fingerprint.js';

/** Caps on retries and repeats in one scope (a run or an agent). */
export interface LoopLimits {
  /** Retries allowed in the scope: SDK retry attempts and calls repeating a request that failed. */
  maxRetries: number | undefined;
  /** Times the same model may get the same prompt within `repeatWindowMs`. */
  maxRepeats: number | undefined;
  repeatWindowMs: number;
}

export type LoopVerdict = { ok: true; retry: boolean } | { ok: false; reason: 'retry' | 'repeat'; repeats: number };

/**
 * Counts what a scope sends, by request fingerprint (model + prompt), to stop retry storms and loops:
 * the orchestrator-level retry cascades that SDK retry caps do not see.
 */
export class LoopGuard {
  readonly limits: LoopLimits;
  retries = 0;
  readonly #sent = new Map<string, number[]>();
  readonly #failed = new Set<string>();
  /** Prompt fingerprint → the model and price of its last attempt, to report escalations. */
  readonly #lastModel = new Map<string, { model: string; price: number }>();

  constructor(limits: LoopLimits) {
    this.limits = limits;
  }

  /**
   * A new call is about to be sent: allowed, and is it a retry (its prompt failed last time, on
   * whatever model)? Repeats are counted per model and prompt.
   */
  checkCall(fingerprints: RequestFingerprints, now: number): LoopVerdict {
    const fingerprint = fingerprints.request;
    const retry = this.#failed.has(fingerprints.prompt);
    if (retry && this.limits.maxRetries !== undefined && this.retries + 1 > this.limits.maxRetries) {
      return { ok: false, reason: 'retry', repeats: this.retries };
    }
    if (this.limits.maxRepeats !== undefined) {
      const since = now - this.limits.repeatWindowMs;
      const times = (this.#sent.get(fingerprint) ?? []).filter((time) => time > since);
      if (times.length + 1 > this.limits.maxRepeats) return { ok: false, reason: 'repeat', repeats: times.length + 1 };
      times.push(now);
      this.#sent.set(fingerprint, times);
      if (this.#sent.size > 10_000) this.#forgetBefore(since);
    }
    if (retry) this.retries += 1;
    return { ok: true, retry };
  }

  /** An SDK retry attempt is about to be sent: allowed? */
  checkSdkRetry(): boolean {
    if (this.limits.maxRetries !== undefined && this.retries + 1 > this.limits.maxRetries) return false;
    this.retries += 1;
    return true;
  }

  /** Whether the last call with this prompt failed. */
  noteOutcome(promptFingerprint: string, failed: boolean): void {
    if (failed) this.#failed.add(promptFingerprint);
    else this.#failed.delete(promptFingerprint);
  }

  /** Records the model a prompt went to; returns the previous one when this one is dearer. */
  noteModel(promptFingerprint: string, model: string, price: number): string | undefined {
    const previous = this.#lastModel.get(promptFingerprint);
    this.#lastModel.set(promptFingerprint, { model, price });
    return previous && previous.model !== model && price > previous.price ? previous.model : undefined;
  }

  #forgetBefore(since: number): void {
    for (const [fingerprint, times] of this.#sent)
      if (times.every((time) => time <= since)) this.#sent.delete(fingerprint);
  }
}
