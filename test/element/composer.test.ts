import { sendKeys } from '@web/test-runner-commands';
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, resetFixtureLog, typeAndPress, waitFor } from './helpers.js';

/** Every `@csspart` of the element's JSDoc (the public API; custom-elements.json is generated from it). */
const DOCUMENTED_PARTS = [
  'panel',
  'header',
  'heading',
  'close',
  'log',
  'empty',
  'message',
  'user',
  'assistant',
  'code-block',
  'code-language',
  'copy-button',
  'table',
  'status',
  'reconnecting',
  'retry',
  'thinking',
  'sources',
  'source',
  'error',
  'composer',
  'input',
  'send',
  'stop',
  'launcher',
  'launcher-badge',
  'footer',
];

function collectParts(el: AiChat, into: Set<string>): void {
  for (const node of el.shadowRoot!.querySelectorAll('[part]')) {
    for (const name of node.getAttribute('part')!.split(/\s+/)) into.add(name);
  }
}

describe('<ai-chat> composer and parts', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('exposes the documented parts', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream"></ai-chat>');
    for (const name of ['panel', 'header', 'heading', 'log', 'composer', 'input', 'send', 'empty']) {
      expectTrue(part(el, name), `part ${name} exists`);
    }
    expectEqual(part(el, 'heading')!.textContent, 'Ask the docs', 'default heading');
    expectEqual(part(el, 'log')!.getAttribute('role'), 'log', 'log role');
    expectTrue(part(el, 'input')!.getAttribute('aria-label'), 'input is labelled');
    const sending = el.send('q');
    await waitFor(() => part(el, 'assistant') && part(el, 'stop'), 3000, 'assistant + stop');
    for (const name of ['message', 'user', 'assistant', 'stop']) expectTrue(part(el, name), `part ${name} exists`);
    el.stop();
    await sending;

    // thinking and sources come from a backend that sends them (the article's full flow).
    el.endpoint = '/sse/sources/stream';
    const second = el.send('q2');
    await waitFor(() => part(el, 'thinking'), 3000, 'thinking part');
    await second;
    await el.updateComplete;
    for (const name of ['sources', 'source']) expectTrue(part(el, name), `part ${name} exists`);

    el.endpoint = '/sse/busy/stream';
    await el.send('q3');
    await el.updateComplete;
    expectTrue(part(el, 'error'), 'part error exists');
  });

  it('renders every documented part, and only those, across the states a user meets', async () => {
    const seen = new Set<string>();
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream" max-retries="0"></ai-chat>');
    collectParts(el, seen);
    const sending = el.send('q');
    await waitFor(() => part(el, 'assistant') && part(el, 'stop'), 3000, 'assistant + stop');
    collectParts(el, seen);
    el.stop();
    await sending;
    await el.updateComplete;
    collectParts(el, seen);
    el.endpoint = '/sse/echo/stream';
    await el.send('```js\nlet a = 1;\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |');
    await el.updateComplete;
    collectParts(el, seen);
    el.endpoint = '/sse/sources/stream';
    const withSources = el.send('q');
    await waitFor(() => part(el, 'thinking'), 3000, 'thinking');
    collectParts(el, seen);
    await withSources;
    await el.updateComplete;
    collectParts(el, seen);
    el.retryDelay = 50;
    el.maxRetries = 3;
    el.endpoint = '/sse/flaky/stream';
    const flaky = el.send('q');
    await waitFor(() => part(el, 'reconnecting'), 3000, 'reconnecting');
    collectParts(el, seen);
    await flaky;
    el.maxRetries = 0;
    el.endpoint = '/sse/cutoff/stream';
    await el.send('q');
    await el.updateComplete;
    collectParts(el, seen);

    const launcher = await fixture('<ai-chat mode="launcher" endpoint="/sse/raw/stream"></ai-chat>');
    await launcher.send('q');
    await launcher.updateComplete;
    collectParts(launcher, seen);
    expectEqual([...seen].sort(), [...DOCUMENTED_PARTS].sort(), 'parts rendered = parts documented');
  });

  it('real keys: Enter sends, Shift+Enter adds a newline', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    part(el, 'input')!.focus();
    await sendKeys({ type: 'line one' });
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Enter' });
    await sendKeys({ up: 'Shift' });
    await sendKeys({ type: 'line two' });
    expectEqual(el.messages.length, 0, 'nothing sent yet');
    expectEqual((part(el, 'input') as HTMLTextAreaElement).value, 'line one\nline two', 'newline inserted');
    await sendKeys({ press: 'Enter' });
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, 'line one\nline two', 'sent with the newline');
    expectEqual((part(el, 'input') as HTMLTextAreaElement).value, '', 'input cleared');
  });

  it('Enter sends and clears the input; Shift+Enter does not send', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    const shift = typeAndPress(el, 'line one', { key: 'Enter', shiftKey: true });
    expectEqual(shift.defaultPrevented, false, 'Shift+Enter inserts a newline');
    expectEqual(el.messages.length, 0, 'nothing sent on Shift+Enter');
    const enter = typeAndPress(el, 'hello');
    expectTrue(enter.defaultPrevented, 'Enter handled');
    expectEqual((part(el, 'input') as HTMLTextAreaElement).value, '', 'input cleared');
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, 'hello', 'user message');
  });

  it('never sends while an IME composes', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    typeAndPress(el, 'にほん', { key: 'Enter', isComposing: true });
    typeAndPress(el, 'にほん', { key: 'Enter', keyCode: 229 });
    await new Promise((r) => setTimeout(r, 50));
    expectEqual(el.messages.length, 0, 'nothing sent while composing');
    expectEqual((part(el, 'input') as HTMLTextAreaElement).value, 'にほん', 'text kept');
  });

  it('the send button submits; empty input sends nothing', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    part(el, 'send')!.click();
    expectEqual(el.messages.length, 0, 'empty input not sent');
    (part(el, 'input') as HTMLTextAreaElement).value = 'via button';
    part(el, 'send')!.click();
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, 'via button', 'sent');
  });

  it('Escape in the input stops a streaming answer', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream"></ai-chat>');
    typeAndPress(el, 'long');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 3000, 'tokens');
    typeAndPress(el, '', { key: 'Escape' });
    await el.updateComplete;
    expectEqual(el.messages.at(-1)?.status, 'stopped', 'stopped');
    expectEqual(el.getAttribute('state'), 'idle', 'idle');
  });

  it('applies heading, placeholder, strings and stores the later-use attributes', async () => {
    const el = await fixture(
      '<ai-chat heading="Help" placeholder="Type…" max-retries="5" retry-delay="250" heartbeat-timeout="0" persist stop-endpoint="/x/stop"></ai-chat>',
    );
    el.strings = { send: 'Go' };
    await el.updateComplete;
    expectEqual(part(el, 'heading')!.textContent, 'Help', 'heading');
    expectEqual(part(el, 'input')!.getAttribute('placeholder'), 'Type…', 'placeholder');
    expectEqual(part(el, 'send')!.textContent, 'Go', 'strings override');
    expectEqual(
      [el.maxRetries, el.retryDelay, el.heartbeatTimeout, el.persist, el.stopEndpoint],
      [5, 250, 0, true, '/x/stop'],
      'attributes',
    );
    expectEqual([el.endpoint, el.mode], ['/chat/stream', 'inline'], 'defaults');
  });
});
