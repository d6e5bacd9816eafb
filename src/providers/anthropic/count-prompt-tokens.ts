import { countField, pickFields, type WirePromptCounter, withPathSuffix } from '../prompt-counter.js';

/**
 * The body fields `POST /v1/messages/count_tokens` accepts (API reference, stable and beta: the beta ones
 * only pass with the beta header the SDK already sends for them). Everything else of a Messages request —
 * `max_tokens`, `stream`, `metadata`, `service_tier`, `temperature` … — adds nothing to the prompt.
 */
const ACCEPTED = [
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
  'context_management',
  'output_config',
  'output_format',
  'cache_control',
  'speed',
] as const;

/** Anthropic's free token count, `POST /v1/messages/count_tokens` → `{ input_tokens }`. */
export const anthropicPromptCounter: WirePromptCounter = {
  request: (url, body) => ({ url: withPathSuffix(url, '/count_tokens'), body: pickFields(body, ACCEPTED) }),
  read: (json) => countField(json, 'input_tokens'),
};
