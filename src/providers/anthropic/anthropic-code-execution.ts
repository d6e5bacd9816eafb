import { asObject } from '../read-json.js';

/** `server_tool_use` names of the code execution tool (its Python, bash and file-editing sub-tools). */
const CODE_TOOL_NAMES = new Set(['code_execution', 'bash_code_execution', 'text_editor_code_execution']);
const CODE_RESULT_TYPES = new Set([
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
]);

/** A content block that shows code ran in a container (a call of the tool or its result). */
export function isCodeExecutionBlock(value: unknown): boolean {
  const block = asObject(value);
  if (!block) return false;
  if (block.type === 'server_tool_use') return typeof block.name === 'string' && CODE_TOOL_NAMES.has(block.name);
  return typeof block.type === 'string' && CODE_RESULT_TYPES.has(block.type);
}

/**
 * True when a message used a code execution container. The usage has no count for it, so the signs are
 * the container the message names (files preloaded into a container bill even when no code runs) and the
 * tool's content blocks.
 */
export function messageRanCode(message: Record<string, unknown> | undefined): boolean {
  if (!message) return false;
  if (asObject(message.container)) return true;
  const content = message.content;
  return Array.isArray(content) && content.some(isCodeExecutionBlock);
}
