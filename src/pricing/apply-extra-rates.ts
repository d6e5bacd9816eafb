import type { FeeKind, ModalityBucket } from '../core/usage.js';
import { FEE_RATES, MODALITY_RATES, TIER_MULTIPLIERS } from './data/extra-rates.js';
import type { BucketRates, ModelRates, TierScale } from './model-rates.js';
import { normalizeModelId } from './normalize-model-id.js';

/**
 * Adds what the price dataset lacks or has out of date — per-use fees of server-side tools and grounding,
 * and service-tier scales — from the table in `data/extra-rates.ts`, where every row names its source.
 * A table row wins over the dataset's fee; within the table the first row matching the model wins.
 */
export function applyExtraRates(rates: ModelRates, datasetFees: Partial<Record<FeeKind, number>>): ModelRates {
  const id = normalizeModelId(rates.model);
  const fees: Partial<Record<FeeKind, number>> = { ...datasetFees };
  let anyFee = Object.keys(fees).length > 0;
  const fromTable = new Set<FeeKind>();
  for (const row of FEE_RATES) {
    if (row.provider !== rates.provider || fromTable.has(row.fee) || !row.models.test(id)) continue;
    fees[row.fee] = row.nanosPerUnit;
    fromTable.add(row.fee);
    anyFee = true;
  }
  const tierScales: Record<string, TierScale> = {};
  let anyTier = false;
  for (const row of TIER_MULTIPLIERS) {
    if (row.provider !== rates.provider || tierScales[row.tier] || !row.models.test(id)) continue;
    tierScales[row.tier] = { inputPermille: row.inputPermille, outputPermille: row.outputPermille };
    anyTier = true;
  }
  const base = withModalityRates(rates.base, rates.provider, id);
  if (!anyFee && !anyTier && base === rates.base) return rates;
  return { ...rates, base, ...(anyFee ? { fees } : {}), ...(anyTier ? { tierScales } : {}) };
}

/** The base rates with the table's modality rates added where the dataset has none (the same object if none apply). */
function withModalityRates(base: BucketRates, provider: string, id: string): BucketRates {
  let modalities: Partial<Record<ModalityBucket, number>> | undefined;
  for (const row of MODALITY_RATES) {
    if (row.provider !== provider || base.modalities?.[row.bucket] !== undefined || !row.models.test(id)) continue;
    modalities ??= { ...base.modalities };
    modalities[row.bucket] ??= row.nanosPerMillion;
  }
  return modalities ? { ...base, modalities } : base;
}
