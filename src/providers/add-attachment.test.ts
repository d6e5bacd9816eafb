import { describe, expect, it } from 'vitest';
import { sampleAttachments } from '../testing/sample-attachments.js';
import { createPromptShape } from '../tokens/estimate-prompt-tokens.js';
import { addAttachment } from './add-attachment.js';

describe('addAttachment', () => {
  it('sizes a part from its bytes, and counts a URL or a file id as a part of unknown size', () => {
    const prompt = createPromptShape();
    const png = Buffer.from(sampleAttachments.png(1024, 768)).toString('base64');
    addAttachment(prompt, `data:image/png;base64,${png}`, { detail: 'low' });
    addAttachment(prompt, 'https://example.com/cat.png');
    addAttachment(prompt, 'file-abc123');
    addAttachment(prompt, undefined);
    expect(prompt.media).toEqual([
      { info: expect.objectContaining({ kind: 'image', width: 1024, height: 768 }), options: { detail: 'low' } },
    ]);
    expect(prompt.attachments).toBe(3);
  });
});
