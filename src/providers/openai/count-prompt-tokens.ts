import { countField, pickFields, type WirePromptCounter, withPathSuffix } from '../prompt-counter.js';

/**
 * The body fields `POST /v1/responses/input_tokens` accepts (API reference, `InputTokenCountParams`):
 * what makes up the prompt, stored conversations and earlier responses included.
 */
const ACCEPTED = [
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'previous_response_id',
  'conversation',
  'reasoning',
  'text',
  'truncation',
] as const;

/**
 * OpenAI's free input-token count for the Responses API, `POST /v1/responses/input_tokens` →
 * `{ object: 'response.input_tokens', input_tokens }`. A request built from a stored prompt template
 * (`prompt`) is not counted: the endpoint does not take it, so its count would miss the template.
 * Chat Completions has no counting endpoint; its prompts are counted locally with the model's encoding.
 */
export const openAIResponsesPromptCounter: WirePromptCounter = {
  request: (url, body) =>
    body.prompt != null ? undefined : { url: withPathSuffix(url, '/input_tokens'), body: pickFields(body, ACCEPTED) },
  read: (json) => countField(json, 'input_tokens'),
};
