import type { FeeKind, ModalityBuckets } from '../../core/usage.js';

export type FeeUnits = Partial<Record<FeeKind, number>>;

/** What an answer reports beside its token buckets, read from a provider's own raw usage and metadata. */
export interface UsageExtras {
  /** Modality buckets to carve out of the token buckets (absent: the provider split none out). */
  modalities?: ModalityBuckets;
  fees?: FeeUnits;
  /** The tiers the answer says it was served at ([] for the standard one); undefined: it does not say. */
  tiers?: string[] | undefined;
}

/** Units of `next` added to `into` (a new object; neither is changed). */
export function addFees(into: FeeUnits | undefined, next: FeeUnits | undefined): FeeUnits | undefined {
  if (!next) return into;
  if (!into) return next;
  const sum: FeeUnits = { ...into };
  for (const [kind, units] of Object.entries(next) as Array<[FeeKind, number]>) sum[kind] = (sum[kind] ?? 0) + units;
  return sum;
}
