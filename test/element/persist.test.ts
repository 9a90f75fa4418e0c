// `persist`: the conversation survives a real reload. The element runs in an iframe (test/fixtures/persist-frame.html)
// that is reloaded, so module state, the element and its controllers all start again and only localStorage carries
// over (the frame shares this page's origin, hence its storage). Unit tests of the storage module use the real
// localStorage of this page, plus storages that throw the way a full or blocked one does.
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import {
  GENERATED_ID_KEY,
  StorageLimits,
  conversationKey,
  forget,
  keptConversationId,
  loadConversation,
  saveConversation,
} from '../../src/persist/conversation-storage.js';
import type { StorageLike } from '../../src/persist/conversation-storage.js';
import type { ChatMessage } from '../../src/types/chat-message.js';
import { ANSWER } from '../fixtures/sse-fixtures.mjs';
import {
  cleanup,
  expectEqual,
  expectTrue,
  fixture,
  fixtureLog,
  lastAnswer,
  part,
  parts,
  resetFixtureLog,
  waitFor,
} from './helpers.js';

interface FrameWindow extends Window {
  problems: string[];
  firstRender?: { messages: number; empty: boolean };
}

const frames: HTMLIFrameElement[] = [];

/** Loads the fixture page with `params` as the element's attributes; resolves once its element has rendered. */
async function openFrame(params: string): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width: 400px; height: 500px';
  frame.src = `/test/fixtures/persist-frame.html?${params}`;
  document.body.append(frame);
  frames.push(frame);
  await frameReady(frame);
  return frame;
}

async function frameReady(frame: HTMLIFrameElement): Promise<AiChat> {
  await waitFor(() => win(frame)?.firstRender, 8000, 'the frame page to render its <ai-chat>');
  return chat(frame);
}

/** Reloads the frame's page, the way a reader presses F5, and waits for the new element. */
async function reload(frame: HTMLIFrameElement): Promise<AiChat> {
  // The WindowProxy stays the same object across a reload; the document and its element do not.
  const old = frame.contentDocument;
  win(frame).location.reload();
  await waitFor(() => frame.contentDocument !== old && win(frame).firstRender, 8000, 'the reloaded page');
  return chat(frame);
}

const win = (frame: HTMLIFrameElement) => frame.contentWindow as FrameWindow;
const chat = (frame: HTMLIFrameElement) => frame.contentDocument!.querySelector('ai-chat') as AiChat;

/** What a reader sees in the log: each bubble's role and text. */
function transcript(el: AiChat): string[] {
  return parts(el, 'message').map(
    (m) => `${m.matches('[part~="user"]') ? 'user' : 'assistant'}: ${m.textContent!.replace(/\s+/g, ' ').trim()}`,
  );
}

/** Every `ai-chat` key of this origin's localStorage with its value. */
function stored(): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)!;
    if (key.startsWith('ai-chat')) out[key] = localStorage.getItem(key)!;
  }
  return out;
}

function clearStored(): void {
  for (const key of Object.keys(stored())) localStorage.removeItem(key);
}

const user = (id: string, content: string): ChatMessage => ({ id, role: 'user', content, status: 'completed' });
const answer = (id: string, content: string, status: ChatMessage['status'] = 'completed'): ChatMessage => ({
  id,
  role: 'assistant',
  content,
  status,
});

describe('conversation-storage (real localStorage)', () => {
  beforeEach(clearStored);
  afterEach(clearStored);

  it('round-trips a conversation under ai-chat:v1:<id> in the versioned schema', () => {
    const messages = [
      user('u1', '什么是 SSE?'),
      { ...answer('a1', ANSWER), sources: [{ title: 'SSE guide', url: 'https://example.com/sse' }] },
    ];
    expectEqual(saveConversation(localStorage, 'c-1', messages, 1234), true, 'saved');
    const raw = JSON.parse(localStorage.getItem('ai-chat:v1:c-1')!);
    expectEqual(raw, { v: 1, messages, savedAt: 1234 }, 'record shape');
    expectEqual(conversationKey('c-1'), 'ai-chat:v1:c-1', 'key');
    expectEqual(loadConversation(localStorage, 'c-1'), messages, 'loaded');
    expectEqual(loadConversation(localStorage, 'c-2'), [], 'another conversation is empty');
    forget(localStorage, conversationKey('c-1'));
    expectEqual(localStorage.getItem('ai-chat:v1:c-1'), null, 'removed');
    // Python and Java backends send absent fields as null: such a source must not make the record unreadable.
    const nulls = [user('u1', 'q'), { ...answer('a1', ANSWER), sources: [{ title: 'T', url: null, snippet: null }] }];
    saveConversation(localStorage, 'c-3', nulls as unknown as ChatMessage[], 1);
    expectEqual(loadConversation(localStorage, 'c-3').length, 2, 'a source with null fields loads');
    forget(localStorage, conversationKey('c-3'));
  });

  it('never keeps an answer as streaming: saved and loaded as stopped; an empty placeholder is left out', () => {
    saveConversation(localStorage, 'c', [user('u1', 'q'), answer('a1', 'half an', 'streaming')]);
    expectEqual(loadConversation(localStorage, 'c')[1]!.status, 'stopped', 'loaded stopped');
    saveConversation(localStorage, 'c', [user('u1', 'q'), answer('a1', '', 'streaming')]);
    expectEqual(loadConversation(localStorage, 'c'), [user('u1', 'q')], 'placeholder dropped');
  });

  it('caps the record: oldest whole turns go first, by count and by size', () => {
    const many: ChatMessage[] = [];
    for (let i = 0; i < 150; i++) many.push(user(`u${i}`, `q${i}`), answer(`a${i}`, `a${i}`));
    saveConversation(localStorage, 'c', many);
    const kept = loadConversation(localStorage, 'c');
    expectEqual(kept.length, StorageLimits.maxMessages, 'count cap');
    expectEqual(kept[0]!.id, 'u50', 'starts at a question, the oldest turns dropped');
    expectEqual(kept.at(-1)!.id, 'a149', 'newest kept');

    const big = 'x'.repeat(70_000);
    const turns = [user('u1', big), answer('a1', big), user('u2', 'q2'), answer('a2', big), user('u3', 'q3')];
    saveConversation(localStorage, 'c', turns);
    const raw = localStorage.getItem('ai-chat:v1:c')!;
    expectTrue(raw.length <= StorageLimits.maxChars, `record within the cap (${raw.length})`);
    expectEqual(
      loadConversation(localStorage, 'c').map((m) => m.id),
      ['u2', 'a2', 'u3'],
      'the oldest turn (question and answer) went, not half of it',
    );
  });

  it('ignores corrupt, foreign, old-version and oversized records', () => {
    const valid = [user('u1', 'q')];
    const bad: [string, unknown][] = [
      ['not JSON', '{"v":1,"messages":['],
      ['null', null],
      ['a number', 42],
      ['a string', 'hello'],
      ['an array', valid],
      ['no version', { messages: valid }],
      ['version 2', { v: 2, messages: valid, savedAt: 1 }],
      ['version "1"', { v: '1', messages: valid, savedAt: 1 }],
      ['messages not an array', { v: 1, messages: { 0: valid[0] } }],
      ['a message that is null', { v: 1, messages: [null] }],
      ['a wrong role', { v: 1, messages: [{ id: 'x', role: 'system', content: 'q' }] }],
      ['non-string content', { v: 1, messages: [{ id: 'x', role: 'user', content: { html: '<img>' } }] }],
      ['no id', { v: 1, messages: [{ role: 'user', content: 'q' }] }],
      ['an unknown status', { v: 1, messages: [{ id: 'x', role: 'user', content: 'q', status: 'pwned' }] }],
      ['sources not a list', { v: 1, messages: [{ ...answer('a', 'x'), sources: 'https://evil.example' }] }],
      ['a source without title', { v: 1, messages: [{ ...answer('a', 'x'), sources: [{ url: 'https://e.x' }] }] }],
      ['a huge string', { v: 1, messages: [user('u1', 'x'.repeat(StorageLimits.maxChars + 1))] }],
      ['too many messages', { v: 1, messages: Array.from({ length: 201 }, (_, i) => user(`u${i}`, 'q')) }],
    ];
    for (const [what, value] of bad) {
      localStorage.setItem('ai-chat:v1:c', typeof value === 'string' ? value : JSON.stringify(value));
      expectEqual(loadConversation(localStorage, 'c'), [], what);
    }
    // The same record, well-formed, loads (so the cases above fail for the reason they name).
    localStorage.setItem('ai-chat:v1:c', JSON.stringify({ v: 1, messages: valid, savedAt: 1 }));
    expectEqual(loadConversation(localStorage, 'c'), valid, 'valid control');
  });

  it('a storage that is missing, full or blocked means no history, never an exception', () => {
    const quota = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const denied = () => {
      throw new DOMException('Access is denied for this document.', 'SecurityError');
    };
    const full: StorageLike = { getItem: () => null, setItem: quota, removeItem: () => undefined };
    const blocked: StorageLike = { getItem: denied, setItem: denied, removeItem: denied };
    const messages = [user('u1', 'q')];
    for (const [what, storage] of [
      ['full', full],
      ['blocked', blocked],
      ['missing', undefined],
    ] as const) {
      expectEqual(saveConversation(storage, 'c', messages), false, `${what}: save reports failure`);
      expectEqual(loadConversation(storage, 'c'), [], `${what}: load is empty`);
      forget(storage, conversationKey('c'));
      forget(storage, GENERATED_ID_KEY);
      expectEqual(
        keptConversationId(storage, () => 'fresh'),
        'fresh',
        `${what}: a fresh id`,
      );
    }
  });

  it('keeps a generated conversation id until it is forgotten', () => {
    let n = 0;
    const generate = () => `gen-${++n}`;
    expectEqual(keptConversationId(localStorage, generate), 'gen-1', 'generated');
    expectEqual(localStorage.getItem(GENERATED_ID_KEY), 'gen-1', 'kept under ai-chat:conversation-id');
    expectEqual(keptConversationId(localStorage, generate), 'gen-1', 'reused');
    forget(localStorage, GENERATED_ID_KEY);
    expectEqual(keptConversationId(localStorage, generate), 'gen-2', 'new after forgetting');
  });
});

describe('<ai-chat persist> across reloads', () => {
  beforeEach(async () => {
    clearStored();
    await resetFixtureLog();
  });
  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
    cleanup();
    clearStored();
  });

  it('restores the conversation after a reload, in the first render, and goes on with it', async () => {
    const frame = await openFrame('persist&conversation-id=p-1&endpoint=/sse/article/stream');
    let el = chat(frame);
    await el.send('什么是 SSE?');
    await el.updateComplete;
    const before = transcript(el);
    expectEqual(before.length, 2, 'question and answer shown');

    el = await reload(frame);
    expectEqual(win(frame).firstRender, { messages: 2, empty: false }, 'restored before the first render');
    expectEqual(transcript(el), before, 'the same conversation after the reload');
    expectEqual(el.messages.at(-1)!.content, ANSWER, 'the raw answer restored');
    expectEqual(part(el, 'status'), null, 'a completed answer carries no note');

    await el.send('Go on');
    await el.updateComplete;
    expectEqual(transcript(el).length, 4, 'a new turn after the restored one');
    el = await reload(frame);
    expectEqual(transcript(el).length, 4, 'both turns after a second reload');
    const { requests } = await fixtureLog();
    expectEqual(
      requests.map((r) => r.body.conversation_id),
      ['p-1', 'p-1'],
      'the same conversation id',
    );
    expectEqual(win(frame).problems, [], 'nothing in the console');
  });

  it('keeps the question when the reader reloads before the answer; a cut answer comes back stopped', async () => {
    const frame = await openFrame('persist&conversation-id=p-2&endpoint=/sse/slow/stream');
    let el = chat(frame);
    void el.send('long one');
    await waitFor(() => lastAnswer(el)?.includes('w3'), 4000, 'some tokens');
    const partial = el.messages.at(-1)!.content;

    el = await reload(frame);
    const restored = el.messages;
    expectEqual(restored.length, 2, 'question and partial answer');
    expectEqual(restored[0]!.content, 'long one', 'the question');
    expectEqual(restored[1]!.status, 'stopped', 'the answer is stopped, not streaming');
    expectTrue(restored[1]!.content.startsWith(partial), 'what was shown before the reload is kept');
    expectEqual(part(el, 'status')!.textContent, 'Stopped', 'marked stopped on screen');
    expectEqual(el.getAttribute('state'), 'idle', 'nothing streams after the reload');
    expectEqual(part(el, 'stop'), null, 'no stop button');
  });

  it('a widget removed mid-answer keeps what it had, as a stopped answer', async () => {
    const el = await fixture('<ai-chat persist conversation-id="p-rm" endpoint="/sse/slow/stream"></ai-chat>');
    void el.send('then removed');
    await waitFor(() => lastAnswer(el)?.includes('w2'), 4000, 'some tokens');
    el.remove();
    const kept = loadConversation(localStorage, 'p-rm');
    expectEqual(
      kept.map((m) => m.status),
      ['completed', 'stopped'],
      'question and stopped answer',
    );
    expectTrue(kept[1]!.content.startsWith('w0 w1 w2'), `partial text kept (${kept[1]!.content})`);
    const again = await fixture('<ai-chat persist conversation-id="p-rm"></ai-chat>');
    expectEqual(transcript(again)[0], 'user: then removed', 'a new widget for the conversation shows it');
  });

  it('switching conversation-id shows that conversation, even an empty one, and never mixes the two', async () => {
    saveConversation(localStorage, 'p-a', [user('u1', 'from A'), answer('a1', ANSWER)], 1);
    const frame = await openFrame('persist&conversation-id=p-a&endpoint=/sse/raw/stream');
    const el = chat(frame);
    await el.updateComplete;
    expectEqual(el.messages.length, 2, 'A restored');
    el.setAttribute('conversation-id', 'p-b');
    await el.updateComplete;
    expectEqual(el.messages, [], 'B has no record: an empty log, not A');
    await el.send('from B');
    const b = JSON.parse(localStorage.getItem('ai-chat:v1:p-b') ?? 'null');
    expectEqual(b.messages[0].content, 'from B', 'B saved on its own');
    expectEqual(b.messages.length, 2, 'question and answer only');
    el.setAttribute('conversation-id', 'p-a');
    await el.updateComplete;
    expectEqual(el.messages[0]!.content, 'from A', 'back to A');
    forget(localStorage, conversationKey('p-a'));
    forget(localStorage, conversationKey('p-b'));
  });

  it('two tabs on one conversation: what one saves shows in the other, so neither overwrites it later', async () => {
    const one = await openFrame('persist&conversation-id=p-t&endpoint=/sse/raw/stream');
    const two = await openFrame('persist&conversation-id=p-t&endpoint=/sse/raw/stream');
    const first = chat(one);
    await first.send('asked in tab one');
    const second = chat(two);
    await waitFor(() => second.messages.length === 2, 3000, 'tab two to pick up the saved conversation');
    expectEqual(second.messages[0]!.content, 'asked in tab one', 'the question');
    expectEqual(second.messages[1]!.content, first.messages[1]!.content, 'the answer');
    win(two).dispatchEvent(new PageTransitionEvent('pagehide')); // tab two closing saves what it shows
    const saved = JSON.parse(localStorage.getItem('ai-chat:v1:p-t') ?? 'null');
    expectEqual(saved?.messages.length, 2, 'the conversation survives tab two closing');
    forget(localStorage, conversationKey('p-t'));
  });

  it('saves the question as soon as it is sent', async () => {
    const frame = await openFrame('persist&conversation-id=p-3&endpoint=/sse/slow/stream');
    const el = chat(frame);
    void el.send('first words');
    await waitFor(() => part(el, 'stop'), 3000, 'streaming');
    const saved = JSON.parse(localStorage.getItem('ai-chat:v1:p-3') ?? 'null');
    expectEqual(
      saved?.messages.map((m: ChatMessage) => [m.role, m.content]),
      [['user', 'first words']],
      'the question, without the empty answer',
    );
    el.stop();
  });

  it('corrupt, foreign or old-version data gives an empty widget that still sends', async () => {
    const values = [
      '{"v":1,"messages":[',
      JSON.stringify({ v: 0, messages: [user('u', 'old')] }),
      JSON.stringify({ v: 1, messages: [{ id: 1, role: 'user', content: 'q' }] }),
      JSON.stringify(['someone', 'else']),
      'x'.repeat(300_000),
    ];
    for (const value of values) {
      localStorage.setItem('ai-chat:v1:bad', value);
      const el = await fixture('<ai-chat persist conversation-id="bad" endpoint="/sse/article/stream"></ai-chat>');
      expectTrue(part(el, 'empty'), `empty log for ${value.slice(0, 30)}`);
      await el.send('still works?');
      await el.updateComplete;
      expectEqual(transcript(el).length, 2, 'question and answer');
      expectEqual(
        loadConversation(localStorage, 'bad').map((m) => m.content),
        ['still works?', ANSWER],
        'the bad record was replaced by the new conversation',
      );
      cleanup();
    }
  });

  it('works without persistence when localStorage is full', async () => {
    // Fill this origin's real localStorage (shared with the frame) until the browser refuses more.
    const filler: string[] = [];
    try {
      for (let size = 1 << 20; size >= 1;) {
        try {
          localStorage.setItem(`ai-chat-filler-${filler.length}`, 'x'.repeat(size));
          filler.push(`ai-chat-filler-${filler.length}`);
        } catch {
          size >>= 1;
        }
      }
      const frame = await openFrame('persist&endpoint=/sse/article/stream');
      let el = chat(frame);
      await el.send('quota?');
      await el.updateComplete;
      expectEqual(transcript(el).length, 2, 'answered');
      expectEqual(localStorage.getItem(GENERATED_ID_KEY), null, 'nothing could be kept');
      el = await reload(frame);
      expectTrue(part(el, 'empty'), 'an empty widget after the reload');
      await el.send('again');
      await el.updateComplete;
      expectEqual(lastAnswer(el)?.startsWith('SSE'), true, 'answers again');
      expectEqual(win(frame).problems, [], 'nothing in the console');
    } finally {
      for (const key of filler) localStorage.removeItem(key);
    }
  });

  it('works in a sandboxed iframe, where touching localStorage throws', async () => {
    // An opaque-origin frame (sandbox without allow-same-origin) is where a SecurityError is real. Module scripts
    // would need CORS there, so it loads the classic bundle; results come back by postMessage.
    const frame = document.createElement('iframe');
    frame.sandbox.add('allow-scripts');
    frame.srcdoc = `<!doctype html><body><script>
      const problems = [];
      addEventListener('error', (e) => problems.push(String(e.message)));
      addEventListener('unhandledrejection', (e) => problems.push(String(e.reason)));
      const consoleError = console.error;
      console.error = (...args) => (problems.push(args.join(' ')), consoleError(...args));
    </script><script src="${location.origin}/fixtures/ai-chat-classic.js"></script><script>
      (async () => {
        let blocked = false;
        try { localStorage.length; } catch (e) { blocked = e.name; }
        const chat = document.createElement('ai-chat');
        chat.setAttribute('persist', '');
        document.body.append(chat);
        await chat.updateComplete;
        chat.messages = [{ id: 'u', role: 'user', content: 'typed here' }];
        await chat.updateComplete;
        dispatchEvent(new PageTransitionEvent('pagehide'));
        const shown = chat.shadowRoot.querySelector('[part~="user"]').textContent;
        chat.clear();
        await chat.updateComplete;
        const empty = !!chat.shadowRoot.querySelector('[part~="empty"]');
        parent.postMessage({ blocked, shown, empty, problems }, '*');
      })().catch((e) => parent.postMessage({ error: String(e), problems }, '*'));
    </script>`;
    const result = new Promise<Record<string, unknown>>((resolve) =>
      addEventListener('message', (e) => e.source === frame.contentWindow && resolve(e.data)),
    );
    document.body.append(frame);
    frames.push(frame);
    expectEqual(
      await result,
      { blocked: 'SecurityError', shown: 'typed here', empty: true, problems: [] },
      'renders, saves and clears without storage, and nothing in the console',
    );
  });

  it('clear() wipes the kept conversation, and a generated id with it', async () => {
    const frame = await openFrame('persist&endpoint=/sse/article/stream');
    let el = chat(frame);
    await el.send('q1');
    const firstId = localStorage.getItem(GENERATED_ID_KEY);
    expectTrue(localStorage.getItem(`ai-chat:v1:${firstId}`), 'kept before clear');
    el.clear();
    await el.updateComplete;
    expectEqual(localStorage.getItem(`ai-chat:v1:${firstId}`), null, 'record removed');
    expectTrue(part(el, 'empty'), 'empty now');
    el = await reload(frame);
    expectTrue(part(el, 'empty'), 'still empty after a reload');
    await el.send('q2');
    const { requests } = await fixtureLog();
    expectTrue(requests[1]!.body.conversation_id !== firstId, 'a new conversation id after clear()');
  });

  it('without conversation-id, generates one and keeps it across reloads', async () => {
    const frame = await openFrame('persist&endpoint=/sse/article/stream');
    let el = chat(frame);
    await el.send('q1');
    const id = localStorage.getItem(GENERATED_ID_KEY);
    expectTrue(id && /^[0-9a-f-]{36}$/.test(id), `a generated UUID is kept (${id})`);
    expectTrue(localStorage.getItem(`ai-chat:v1:${id}`), 'the conversation is kept under it');
    el = await reload(frame);
    expectEqual(transcript(el).length, 2, 'restored');
    await el.send('q2');
    const { requests } = await fixtureLog();
    expectEqual(
      requests.map((r) => r.body.conversation_id),
      [id, id],
      'the same id before and after the reload',
    );
  });

  it('without persist, localStorage is neither written nor read', async () => {
    saveConversation(localStorage, 'np', [user('u1', 'planted')]);
    const before = stored();
    const frame = await openFrame('conversation-id=np&endpoint=/sse/article/stream');
    let el = chat(frame);
    expectTrue(part(el, 'empty'), 'the planted record is not read');
    await el.send('q');
    await el.updateComplete;
    const other = await openFrame('endpoint=/sse/article/stream');
    await chat(other).send('q');
    el = await reload(frame);
    expectTrue(part(el, 'empty'), 'nothing restored');
    expectEqual(stored(), before, 'localStorage untouched');
  });
});
