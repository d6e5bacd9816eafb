import { describe, expect, it } from 'vitest';
import { aiSdkFailure } from './ai-sdk-failure.js';

describe('aiSdkFailure', () => {
  it('an HTTP error status: the provider refused the request', () => {
    expect(aiSdkFailure({ name: 'AI_APICallError', statusCode: 429 }, false)).toEqual({ status: 429 });
  });

  it('never sent: aborted before sending, a connection refused deep in the causes, a request it could not build', () => {
    expect(aiSdkFailure(new Error('aborted'), true)).toEqual({ sent: false });
    const refused = { name: 'AI_APICallError', cause: { name: 'TypeError', cause: { code: 'ECONNREFUSED' } } };
    expect(aiSdkFailure(refused, false)).toEqual({ sent: false });
    expect(aiSdkFailure({ name: 'AI_UnsupportedFunctionalityError' }, false)).toEqual({ sent: false });
  });

  it('anything else leaves the outcome unknown', () => {
    expect(aiSdkFailure(new Error('socket hang up'), false)).toEqual({});
    expect(aiSdkFailure(undefined, false)).toEqual({});
  });
});
