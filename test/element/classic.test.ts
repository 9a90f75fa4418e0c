import { expectEqual, waitFor } from './helpers.js';

function loadClassic(attrs: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/fixtures/ai-chat-classic.js';
    for (const [k, v] of Object.entries(attrs)) script.setAttribute(k, v);
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('classic bundle failed to load'));
    document.head.append(script);
  });
}

describe('classic script auto-mount', () => {
  it('mounts one launcher from data-* attributes, even when loaded twice', async () => {
    const attrs = {
      'data-endpoint': '/sse/raw/stream',
      'data-conversation-id': 'conv-42',
      'data-heading': 'Docs help',
    };
    await loadClassic(attrs);
    await loadClassic(attrs);
    const chats = await waitFor(
      () => {
        const found = document.querySelectorAll('ai-chat');
        return found.length > 0 && found;
      },
      3000,
      'mounted <ai-chat>',
    );
    await new Promise((r) => setTimeout(r, 50));
    expectEqual(document.querySelectorAll('ai-chat').length, 1, 'mounted once');
    const chat = chats[0]!;
    expectEqual(chat.parentElement, document.body, 'mounted into body');
    expectEqual(
      ['mode', 'endpoint', 'conversation-id', 'heading'].map((a) => chat.getAttribute(a)),
      ['launcher', '/sse/raw/stream', 'conv-42', 'Docs help'],
      'attributes mapped',
    );
    await chat.updateComplete;
    expectEqual(chat.conversationId, 'conv-42', 'property from attribute');
  });
});
