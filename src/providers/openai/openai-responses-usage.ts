import type { FeeKind, NormalizedUsage } from '../../core/usage.js';
import { asObject } from '../read-json.js';
import { normalizeOpenAIUsage } from './normalize-openai-usage.js';

type FeeCounter = Partial<Record<FeeKind, number>>;

/**
 * Container memory → billed units of the 1 GB session rate (extra-rates: 4 GB $0.12, 16 GB $0.48, 64 GB
 * $1.92 per session against $0.03 for 1 GB).
 */
const MEMORY_UNITS: Readonly<Record<string, number>> = { '1g': 1, '4g': 4, '16g': 16, '64g': 64 };

/** Units one container session of a code_interpreter tool bills: its `container.memory_limit` (1 GB if unset). */
export function containerSessionUnits(tool: Record<string, unknown>): number {
  const memory = asObject(tool.container)?.memory_limit;
  // An unknown size is billed as the largest: never under-charge.
  return typeof memory === 'string' ? (MEMORY_UNITS[memory] ?? 64) : 1;
}

/** Units per container session of the echoed `tools` (the dearest code_interpreter tool), 1 when none says. */
function sessionUnitsOf(tools: unknown): number {
  let units = 1;
  if (!Array.isArray(tools)) return units;
  for (const raw of tools) {
    const tool = asObject(raw);
    if (tool?.type === 'code_interpreter') units = Math.max(units, containerSessionUnits(tool));
  }
  return units;
}

/**
 * Per-use fees of a response's output items: a `web_search_call` whose action is a search (an item without an
 * action is counted, as the conservative reading; `open_page` / `find_in_page` do not bill), each
 * `file_search_call`, and each distinct container of `code_interpreter_call`s (sessions bill, not calls; a
 * call without a `container_id` counts as its own session).
 */
export function countResponseFees(output: unknown, tools: unknown): FeeCounter | undefined {
  if (!Array.isArray(output)) return undefined;
  let fees: FeeCounter | undefined;
  const containers = new Set<string>();
  let anonymousSessions = 0;
  for (const raw of output) {
    const item = asObject(raw);
    const type = item?.type;
    if (type === 'web_search_call') {
      const action = asObject(item?.action);
      if (action === undefined || action.type === 'search') {
        fees ??= {};
        fees.webSearch = (fees.webSearch ?? 0) + 1;
      }
    } else if (type === 'file_search_call') {
      fees ??= {};
      fees.fileSearch = (fees.fileSearch ?? 0) + 1;
    } else if (type === 'code_interpreter_call') {
      const container = item?.container_id;
      if (typeof container === 'string' && container !== '') containers.add(container);
      else anonymousSessions += 1;
    }
  }
  const sessions = containers.size + anonymousSessions;
  if (sessions > 0) {
    fees ??= {};
    fees.codeExecution = sessions * sessionUnitsOf(tools);
  }
  return fees;
}

/**
 * Usage of a Responses API `response` object (the JSON body, or `response` of the final stream event): its
 * tokens, the tier that served it, and the fees counted from its output items.
 */
export function openAIResponseUsage(response: unknown): NormalizedUsage | null {
  const body = asObject(response);
  if (!body) return null;
  return normalizeOpenAIUsage(body.usage, 'completion', {
    serviceTier: body.service_tier,
    fees: countResponseFees(body.output, body.tools),
  });
}
