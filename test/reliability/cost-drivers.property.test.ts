/**
 * Property tests of the worst case over every cost driver: for random rates (modalities, per-use fees,
 * tier scales, long-context tiers) and random usage, the reservation made from bounds the usage stays
 * within is never below what the usage is priced at; and the planner, given random fee caps, tiers and
 * attachments, never admits a worst case above any scope's headroom.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BudgetNode } from '../../src/budget/budget-node.js';
import { type CallRequest, planCall } from '../../src/budget/plan-call.js';
import {
  FEE_KINDS,
  type FeeKind,
  MODALITY_BUCKETS,
  type NormalizedUsage,
  totalInputTokens,
  totalOutputTokens,
} from '../../src/core/usage.js';
import { estimateWorstCase } from '../../src/pricing/estimate-worst-case.js';
import type { BucketRates, ModelRates } from '../../src/pricing/model-rates.js';
import { priceUsage } from '../../src/pricing/price-usage.js';
import { createPromptShape } from '../../src/tokens/estimate-prompt-tokens.js';

const rate = fc.integer({ min: 0, max: 200_000_000_000 });
const tokens = fc.integer({ min: 0, max: 300_000 });
const TIERS = ['priority', 'flex', 'fast', 'inference_geo:us'] as const;

const bucketRatesArb: fc.Arbitrary<BucketRates> = fc
  .record({
    input: rate,
    cacheRead: rate,
    cacheWrite5m: rate,
    cacheWrite1h: rate,
    output: rate,
    modalities: fc.dictionary(fc.constantFrom(...MODALITY_BUCKETS), rate),
  })
  .map((rates) => rates as BucketRates);

const modelRatesArb: fc.Arbitrary<ModelRates> = fc.record({
  model: fc.constant('m'),
  provider: fc.constant('openai'),
  base: bucketRatesArb,
  tiers: fc.oneof(
    fc.constant([]),
    bucketRatesArb.map((rates) => [{ aboveInputTokens: 200_000, rates }]),
  ),
  origin: fc.constant('override' as const),
  maxOutputTokens: fc.constant(8_000),
  fees: fc.dictionary(fc.constantFrom(...FEE_KINDS), fc.integer({ min: 0, max: 100_000_000 })),
  requestNanos: fc.integer({ min: 0, max: 10_000 }),
  tierScales: fc.dictionary(
    fc.constantFrom(...TIERS),
    fc.record({
      inputPermille: fc.integer({ min: 1, max: 10_000 }),
      outputPermille: fc.integer({ min: 1, max: 10_000 }),
    }),
  ),
});

const usageArb: fc.Arbitrary<NormalizedUsage> = fc
  .record({
    inputUncached: tokens,
    inputCacheRead: tokens,
    inputCacheWrite5m: tokens,
    inputCacheWrite1h: tokens,
    outputText: tokens,
    outputReasoning: tokens,
    modalities: fc.dictionary(fc.constantFrom(...MODALITY_BUCKETS), tokens),
    fees: fc.dictionary(fc.constantFrom(...FEE_KINDS), fc.integer({ min: 0, max: 20 })),
    tiers: fc.subarray([...TIERS]),
  })
  .map(({ modalities, fees, tiers, ...buckets }) => ({
    ...buckets,
    ...modalities,
    ...(Object.keys(fees).length > 0 && { fees }),
    ...(tiers.length > 0 && { tiers }),
  }));

describe('the worst case over every cost driver', () => {
  it('is never below the price of any usage within its bounds (modalities, fees, tiers, long context)', () => {
    fc.assert(
      fc.property(modelRatesArb, usageArb, fc.integer({ min: 0, max: 50_000 }), (rates, usage, slack) => {
        const hasInputModality = MODALITY_BUCKETS.some((bucket) => bucket.startsWith('input') && usage[bucket]);
        const reserved = estimateWorstCase(rates, {
          inputTokens: totalInputTokens(usage) + slack,
          outputTokens: totalOutputTokens(usage),
          cacheWrite: usage.inputCacheWrite1h > 0 ? '1h' : usage.inputCacheWrite5m > 0 ? '5m' : undefined,
          media: hasInputModality,
          tiers: usage.tiers,
          feeUses: usage.fees,
        });
        expect(reserved).toBeGreaterThanOrEqual(priceUsage(usage, rates));
      }),
      { numRuns: 5_000 },
    );
  });
});

const feeKind = fc.constantFrom<FeeKind>('webSearch', 'fileSearch', 'codeExecution', 'googleSearch');

describe('planCall with fees, tiers and attachments', () => {
  it('never admits a worst case above any scope, and caps every uncapped per-use tool it admits', () => {
    fc.assert(
      fc.property(
        modelRatesArb,
        fc.integer({ min: 0, max: 5_000_000_000 }),
        fc.integer({ min: 0, max: 100 }).map((percent) => percent / 100),
        fc.array(
          fc.record({
            fee: feeKind,
            maxUses: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
            inputTokensPerUse: fc.integer({ min: 0, max: 20_000 }),
          }),
          { maxLength: 3 },
        ),
        fc.subarray([...TIERS]),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.integer({ min: 1, max: 4_000 }), { nil: undefined }),
        (rates, rootLimit, childShare, serverTools, tiers, images, outputCap) => {
          const root = new BudgetNode({
            label: 'root',
            parent: undefined,
            limitNanos: rootLimit,
            threshold: 1,
            onEvent: undefined,
            now: () => 0,
          });
          const child = new BudgetNode({
            label: 'agent',
            parent: root,
            limitNanos: Math.floor(rootLimit * childShare),
            threshold: 1,
            onEvent: undefined,
            now: () => 0,
          });
          const prompt = createPromptShape();
          prompt.texts.push('Summarise the attached pages.');
          prompt.messages = 1;
          for (let index = 0; index < images; index += 1) {
            prompt.media.push({
              info: { kind: 'image', format: 'png', width: 1024 * (index + 1), height: 768, bytes: 4_096 },
            });
          }
          const request: CallRequest = {
            provider: 'openai',
            model: 'm',
            outputCap,
            choices: 1,
            producesOutput: true,
            prompt,
            cacheWrite: undefined,
            tokenizer: 'exact',
            hiddenContext: false,
            tiers,
            serverTools,
          };
          const plan = planCall(
            child.scope,
            request,
            { fallbacks: [], prices: { resolve: () => rates }, overspend: false },
            new Date(0),
          );
          for (const scope of [root, child]) {
            expect(scope.heldNanos + scope.spentNanos).toBeLessThanOrEqual(scope.limitNanos ?? Number.MAX_SAFE_INTEGER);
          }
          if (!plan.admitted) return;
          for (const tool of serverTools) {
            if (tool.maxUses === undefined) expect(plan.toolCaps?.[tool.fee]).toBeGreaterThanOrEqual(1);
          }
          plan.reservation.release();
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
