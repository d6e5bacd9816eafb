import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutUsageMember } from './without-usage-member.js';

describe('withoutUsageMember', () => {
  it.each([
    [
      '{"id":"a","choices":[{"delta":{"content":"hi"}}],"usage":null,"obfuscation":"x"}',
      { id: 'a', choices: [{ delta: { content: 'hi' } }], obfuscation: 'x' },
    ],
    ['{"id":"a","choices":[],"usage":{"prompt_tokens":1,"details":{"a":[1,{"b":"}"}]}}}', { id: 'a', choices: [] }],
    ['{"usage":null,"id":"a"}', { id: 'a' }],
    ['{ "id": "a", "usage" : null }', { id: 'a' }],
  ])('cuts the top-level member from %s', (text, expected) => {
    expect(JSON.parse(withoutUsageMember(text) as string)).toEqual(expected);
  });

  it.each([
    '{"id":"a","choices":[{"delta":{"usage":null}}]}',
    '{"id":"a","choices":[{"delta":{"content":"\\"usage\\":null"}}]}',
    '{"id":"a","note":"\\"usage\\":null,"}',
    '{"id":"a"}',
  ])('leaves %s alone (no top-level usage member)', (text) => {
    expect(withoutUsageMember(text)).toBeUndefined();
  });

  it('equals parse, delete, stringify on any chunk-shaped object', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.dictionary(fc.string(), fc.string()));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), fc.option(value), (members, usage) => {
        const chunk = { ...members, usage };
        const { usage: _cut, ...rest } = chunk;
        const cut = withoutUsageMember(JSON.stringify(chunk));
        expect(cut === undefined ? undefined : JSON.parse(cut)).toEqual(rest);
      }),
    );
  });
});
