// Chinese, Japanese and Korean input: Enter confirms the IME's candidate and must never send half a word. Browsers
// differ in what that Enter looks like, so each shape is replayed here as synthetic events on the real textarea.
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, resetFixtureLog, waitFor } from './helpers.js';

const nextTask = () => new Promise((r) => setTimeout(r, 0));
/** Longer than the element's window after compositionend (20 ms), as a person's next key press is. */
const later = () => new Promise((r) => setTimeout(r, 60));

function input(el: AiChat): HTMLTextAreaElement {
  return part(el, 'input') as HTMLTextAreaElement;
}

function key(el: AiChat, init: KeyboardEventInit): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, composed: true, cancelable: true, ...init });
  input(el).dispatchEvent(event);
  return event;
}

function composition(el: AiChat, type: 'compositionstart' | 'compositionupdate' | 'compositionend', data: string) {
  input(el).dispatchEvent(new CompositionEvent(type, { bubbles: true, composed: true, data }));
}

describe('<ai-chat> IME composition', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('Chromium: the Enter that confirms a candidate has isComposing set; it does not send', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    composition(el, 'compositionstart', '');
    input(el).value = '你好';
    composition(el, 'compositionupdate', '你好');
    const enter = key(el, { key: 'Enter', isComposing: true });
    composition(el, 'compositionend', '你好');
    await later();
    expectEqual(el.messages.length, 0, 'nothing sent');
    expectEqual(enter.defaultPrevented, false, 'the IME keeps its Enter');
    expectEqual(input(el).value, '你好', 'text kept');
    key(el, { key: 'Enter' });
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, '你好', 'a later Enter sends the composed text');
  });

  it('older engines: keyCode 229 does not send', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    input(el).value = 'にほん';
    const enter = key(el, { key: 'Enter', keyCode: 229 });
    expectEqual(enter.keyCode, 229, 'the synthetic event carries keyCode 229');
    await nextTask();
    expectEqual(el.messages.length, 0, 'nothing sent');
    key(el, { key: 'Enter', keyCode: 13 });
    await waitFor(() => el.messages.length > 0, 3000, 'sent');
    expectEqual(el.messages[0]!.content, 'にほん', 'a later Enter sends');
  });

  it('Safari: the Enter right after compositionend (same or next task) does not send; a later one does', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/raw/stream"></ai-chat>');
    composition(el, 'compositionstart', '');
    input(el).value = '한국어';
    composition(el, 'compositionend', '한국어');
    const enter = key(el, { key: 'Enter', keyCode: 13, isComposing: false });
    expectEqual(enter.defaultPrevented, false, 'left to the browser');
    await nextTask();
    const nextTick = key(el, { key: 'Enter', keyCode: 13 });
    expectEqual(nextTick.defaultPrevented, false, 'nor one in the very next task (Safari may deliver it there)');
    await nextTask();
    expectEqual(el.messages.length, 0, 'nothing sent');
    expectEqual(input(el).value, '한국어', 'text kept');
    await later();
    const deliberate = key(el, { key: 'Enter', keyCode: 13 });
    expectTrue(deliberate.defaultPrevented, 'the next deliberate Enter is handled');
    await waitFor(() => el.messages.at(-1)?.status === 'completed', 3000, 'answer');
    expectEqual(el.messages[0]!.content, '한국어', 'sent once the composition is over');
  });

  it('Escape that cancels a composition does not stop the answer', async () => {
    const el = await fixture('<ai-chat endpoint="/sse/slow/stream"></ai-chat>');
    const sending = el.send('long');
    await waitFor(() => (el.messages.at(-1)?.content.length ?? 0) > 0, 3000, 'tokens');
    const escape = key(el, { key: 'Escape', isComposing: true });
    await new Promise((r) => setTimeout(r, 120));
    expectEqual([el.getAttribute('state'), escape.defaultPrevented], ['streaming', false], 'still streaming');
    // Safari: compositionend first, then the Escape keydown with isComposing false and keyCode 229.
    composition(el, 'compositionend', '');
    const safari = key(el, { key: 'Escape', keyCode: 229 });
    await new Promise((r) => setTimeout(r, 120));
    expectEqual([el.getAttribute('state'), safari.defaultPrevented], ['streaming', false], 'Safari: still streaming');
    key(el, { key: 'Escape' });
    await sending;
    expectEqual(el.messages.at(-1)?.status, 'stopped', 'a plain Escape stops');
  });
});
