/**
 * Removes the top-level `"usage"` member from the JSON text of a stream chunk, working on the text: the
 * SDK parses the chunk right after, so parsing it here too would double the per-chunk cost. Returns
 * undefined when the text has no such member (or one this scan cannot place with certainty; the caller
 * then falls back to a parse).
 */
export function withoutUsageMember(json: string): string | undefined {
  let at = json.indexOf(USAGE_KEY);
  while (at !== -1) {
    const removed = removeMemberAt(json, at);
    if (removed !== undefined) return removed;
    at = json.indexOf(USAGE_KEY, at + USAGE_KEY.length);
  }
  return undefined;
}

const USAGE_KEY = '"usage"';

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function skipSpace(text: string, from: number): number {
  let index = from;
  while (index < text.length && isSpace(text.charCodeAt(index))) index += 1;
  return index;
}

/**
 * Where the JSON value starting at `from` ends (exclusive), or -1. Strings, objects and arrays are
 * walked with their nesting and escapes; literals and numbers run to the next delimiter.
 */
function valueEnd(text: string, from: number): number {
  const first = text.charCodeAt(from);
  if (first === QUOTE) return stringEnd(text, from);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let index = from;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isSpace(code)) break;
      index += 1;
    }
    return index > from ? index : -1;
  }
  let depth = 0;
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = stringEnd(text, index) - 1;
      if (index < 0) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/** The index after the closing quote of the string opening at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  for (let index = from + 1; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH) index += 1;
    else if (code === QUOTE) return index + 1;
  }
  return -1;
}

/**
 * True when the text from `from` closes exactly the outermost object and nothing follows it: the member
 * before `from` was then a top-level one (a nested member's text is followed by its object's own `}`).
 */
function closesTopLevel(text: string, from: number): boolean {
  let depth = 0;
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = stringEnd(text, index) - 1;
      if (index < 0) return false;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth < 0) return code === CLOSE_BRACE && skipSpace(text, index + 1) === text.length;
    }
  }
  return false;
}

function removeMemberAt(json: string, keyStart: number): string | undefined {
  let before = keyStart - 1;
  while (before >= 0 && isSpace(json.charCodeAt(before))) before -= 1;
  const previous = json.charCodeAt(before);
  if (previous !== COMMA && previous !== OPEN_BRACE) return undefined;
  const colon = skipSpace(json, keyStart + USAGE_KEY.length);
  if (json.charCodeAt(colon) !== COLON) return undefined;
  const valueStart = skipSpace(json, colon + 1);
  const end = valueEnd(json, valueStart);
  if (end === -1 || !closesTopLevel(json, end)) return undefined;
  if (previous === COMMA) return json.slice(0, before) + json.slice(end);
  // The first member: its following comma goes with it.
  const next = skipSpace(json, end);
  const after = json.charCodeAt(next) === COMMA ? skipSpace(json, next + 1) : end;
  return json.slice(0, keyStart) + json.slice(after);
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
