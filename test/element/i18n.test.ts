import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import type { AiChatErrorEvent } from '../../src/events/ai-chat-error-event.js';
import { defaultStrings } from '../../src/components/ai-chat/default-strings.js';
import { zhStrings } from '../../src/i18n/strings-zh.js';
import {
  cleanup,
  expectEqual,
  expectTrue,
  fixture,
  lastAnswer,
  part,
  record,
  resetFixtureLog,
  waitFor,
} from './helpers.js';

/** The UI text a reader sees or hears when idle: visible labels and the accessible names of the controls. */
function idleText(el: AiChat) {
  return {
    heading: part(el, 'heading')!.textContent,
    placeholder: part(el, 'input')!.getAttribute('placeholder'),
    inputLabel: part(el, 'input')!.getAttribute('aria-label'),
    send: part(el, 'send')!.textContent!.trim(),
    empty: part(el, 'empty')!.textContent!.trim(),
    logLabel: part(el, 'log')!.getAttribute('aria-label'),
  };
}

/** What the polite status region (screen readers only) says now. */
function announced(el: AiChat): string | undefined {
  return el.shadowRoot!.querySelector('[role="status"][aria-live="polite"]')?.textContent?.trim();
}

const CHINESE = {
  heading: '文档问答',
  placeholder: '输入你的问题…',
  inputLabel: '消息',
  send: '发送',
  empty: '关于文档的任何问题，都可以问我。',
  logLabel: '文档问答',
};
const ENGLISH = {
  heading: 'Ask the docs',
  placeholder: 'Ask a question…',
  inputLabel: 'Message',
  send: 'Send',
  empty: 'Ask anything about the docs.',
  logLabel: 'Ask the docs',
};

describe('<ai-chat> languages', () => {
  const htmlLang = document.documentElement.getAttribute('lang');
  beforeEach(resetFixtureLog);
  afterEach(() => {
    cleanup();
    if (htmlLang === null) document.documentElement.removeAttribute('lang');
    else document.documentElement.setAttribute('lang', htmlLang);
  });

  it('zh-CN on the element: every control, note and label in the shadow DOM is Chinese', async () => {
    document.documentElement.setAttribute('lang', 'en');
    const el = await fixture('<ai-chat lang="zh-CN" endpoint="/sse/slow/stream"></ai-chat>');
    expectEqual(idleText(el), CHINESE, 'idle panel');

    // A stopped answer: the stop button while it streams, then the stopped note, and the user bubble's name.
    const sending = el.send('你好');
    await waitFor(() => part(el, 'assistant')?.textContent?.includes('w2'), 4000, 'tokens');
    expectEqual(part(el, 'stop')!.textContent!.trim(), '停止', 'stop button');
    expectEqual(announced(el), '正在生成回答…', 'announced while streaming');
    part(el, 'stop')!.click();
    await sending;
    await el.updateComplete;
    expectEqual(part(el, 'status')!.textContent, '已停止', 'stopped note');
    expectEqual(part(el, 'user')!.getAttribute('aria-label'), '我', 'user bubble name');

    // The copy button of a code block, and the sources list's name.
    el.endpoint = '/sse/echo/stream';
    await el.send('```js\nconsole.log(1)\n```');
    await el.updateComplete;
    const copy = await waitFor(() => part(el, 'copy-button'), 3000, 'copy button');
    expectEqual(copy.textContent, '复制代码', 'copy button label');
    expectEqual(announced(el), '回答已完成', 'announced when complete');
    el.endpoint = '/sse/sources/stream';
    await el.send('来源？');
    await el.updateComplete;
    expectEqual(part(el, 'sources')!.getAttribute('aria-label'), '参考来源', 'sources list name');
  });

  it('launcher controls are named in Chinese', async () => {
    const el = await fixture('<ai-chat lang="zh" mode="launcher"></ai-chat>');
    expectEqual(part(el, 'launcher')!.getAttribute('aria-label'), '打开对话', 'launcher closed');
    part(el, 'launcher')!.click();
    await el.updateComplete;
    expectEqual(part(el, 'launcher')!.getAttribute('aria-label'), '关闭对话', 'launcher open');
    expectEqual(part(el, 'close')!.getAttribute('aria-label'), '关闭对话', 'close button name');
    expectEqual(part(el, 'close')!.textContent!.trim(), '关闭', 'close button text');
  });

  it('inherits the language of the nearest ancestor with lang, across a shadow root', async () => {
    document.documentElement.setAttribute('lang', 'en');
    const wrapper = await fixture<HTMLElement>('<section lang="zh-Hans"><div><ai-chat></ai-chat></div></section>');
    const inner = wrapper.querySelector('ai-chat')!;
    await inner.updateComplete;
    expectEqual(idleText(inner), CHINESE, 'from the ancestor');

    // Inside another component's shadow tree: the host's language still applies.
    const host = await fixture<HTMLElement>('<div lang="zh-SG"></div>');
    const shadowed = document.createElement('ai-chat');
    host.attachShadow({ mode: 'open' }).append(shadowed);
    await shadowed.updateComplete;
    expectEqual(idleText(shadowed), CHINESE, 'from the shadow host');
    // A document-wide observer does not see into shadow trees: a change on the element itself must still apply.
    shadowed.setAttribute('lang', 'en');
    await waitFor(() => part(shadowed, 'send')!.textContent!.trim() === 'Send', 2000, 'English in the shadow tree');
  });

  it('follows <html lang> when nothing closer sets one, and re-renders when it changes', async () => {
    document.documentElement.setAttribute('lang', 'zh-CN');
    const el = await fixture('<ai-chat></ai-chat>');
    expectEqual(idleText(el), CHINESE, 'from <html lang>');
    document.documentElement.setAttribute('lang', 'en-GB');
    await waitFor(() => part(el, 'send')!.textContent!.trim() === 'Send', 2000, 'English after <html lang> changed');
    expectEqual(idleText(el), ENGLISH, 'after the page switched language');
  });

  it('re-renders when lang changes on the element, and a closer lang wins over the page', async () => {
    document.documentElement.setAttribute('lang', 'zh-CN');
    const el = await fixture('<ai-chat lang="en"></ai-chat>');
    expectEqual(idleText(el), ENGLISH, 'own lang beats <html lang>');
    el.setAttribute('lang', 'zh-Hans');
    await waitFor(() => part(el, 'send')!.textContent!.trim() === '发送', 2000, 'Chinese after lang changed');
    expectEqual(idleText(el), CHINESE, 'after lang="zh-Hans"');
    el.lang = 'de';
    await waitFor(() => part(el, 'send')!.textContent!.trim() === 'Send', 2000, 'English after lang="de"');
    el.removeAttribute('lang');
    await waitFor(() => part(el, 'send')!.textContent!.trim() === '发送', 2000, 'inherits again once removed');
  });

  it('unknown languages, lang="" and no lang anywhere get English; zh-TW and zh_CN get Simplified Chinese', async () => {
    document.documentElement.removeAttribute('lang');
    const none = await fixture('<ai-chat></ai-chat>');
    expectEqual(idleText(none), ENGLISH, 'no lang anywhere');
    for (const lang of ['fr', 'x-klingon', 'zhx', 'EN-us']) {
      const el = await fixture(`<ai-chat lang="${lang}"></ai-chat>`);
      expectEqual(idleText(el), ENGLISH, `lang="${lang}"`);
    }
    // lang="" means "unknown" and stops inheritance (HTML §3.2.6.2).
    const wrapper = await fixture<HTMLElement>('<div lang="zh"><ai-chat lang=""></ai-chat></div>');
    const blank = wrapper.querySelector('ai-chat')!;
    await blank.updateComplete;
    expectEqual(idleText(blank), ENGLISH, 'lang=""');
    for (const lang of ['zh-TW', 'zh-Hant-HK', 'ZH_cn']) {
      const el = await fixture(`<ai-chat lang="${lang}"></ai-chat>`);
      expectEqual(idleText(el), CHINESE, `lang="${lang}"`);
    }
  });

  it('copy buttons already on screen follow a lang change', async () => {
    const el = await fixture('<ai-chat lang="en"></ai-chat>');
    el.messages = [
      { id: 'u', role: 'user', content: 'code?', status: 'completed' },
      { id: 'a', role: 'assistant', content: '```js\nlet a = 1;\n```', status: 'completed' },
    ];
    const copy = await waitFor(() => part(el, 'copy-button'), 3000, 'copy button');
    expectEqual(copy.textContent, 'Copy code', 'English first');
    el.setAttribute('lang', 'zh-CN');
    await waitFor(() => copy.textContent === '复制代码', 2000, 'the same button relabelled in Chinese');
  });

  it('strings overrides win over the language table, key by key', async () => {
    const el = await fixture('<ai-chat lang="zh-CN"></ai-chat>');
    el.strings = { send: '提交', placeholder: '请输入' };
    await el.updateComplete;
    expectEqual(part(el, 'send')!.textContent!.trim(), '提交', 'overridden key');
    expectEqual(part(el, 'input')!.getAttribute('placeholder'), '请输入', 'overridden placeholder');
    expectEqual(part(el, 'input')!.getAttribute('aria-label'), '消息', 'other keys stay Chinese');
    // heading and placeholder attributes still beat both.
    el.setAttribute('heading', 'Help');
    el.setAttribute('placeholder', 'Type…');
    await el.updateComplete;
    expectEqual(part(el, 'heading')!.textContent, 'Help', 'heading attribute');
    expectEqual(part(el, 'input')!.getAttribute('placeholder'), 'Type…', 'placeholder attribute');
  });

  it('the Chinese table translates every key, and none is left in English', () => {
    const keys = Object.keys(defaultStrings) as (keyof typeof defaultStrings)[];
    expectEqual(Object.keys(zhStrings).sort(), [...keys].sort(), 'same keys');
    for (const key of keys) {
      expectTrue(/[\u4e00-\u9fff]/.test(zhStrings[key]), `zh ${key} is Chinese: ${zhStrings[key]}`);
    }
  });
  /** Sends to `endpoint` from a widget in `lang` (no retries) and returns what it shows and what it fired. */
  async function failWith(endpoint: string, lang = 'zh-CN', attrs = '') {
    const el = await fixture(`<ai-chat lang="${lang}" max-retries="0" ${attrs} endpoint="${endpoint}"></ai-chat>`);
    const errors = record(el, ['ai-chat-error']) as AiChatErrorEvent[];
    await el.send('你好');
    await el.updateComplete;
    const shown = part(el, 'error')?.textContent;
    expectEqual(errors.length, 1, `one ai-chat-error for ${endpoint}`);
    expectEqual(errors[0]!.detail.error, shown, `detail.error is the shown text for ${endpoint}`);
    return { el, shown, cause: errors[0]!.detail.cause };
  }

  it("the widget's own error texts are Chinese; a message the server wrote is shown as sent", async () => {
    // Nothing listens on loopback port 2 (binding it needs root, and no service uses it): the connection is refused.
    const network = await failWith('http://127.0.0.1:2/chat/stream');
    expectEqual(network.shown, '无法连接服务器，请检查网络。', 'network failure');
    expectEqual([network.cause.kind, network.cause.fromServer], ['network', false], 'cause of the network failure');
    expectEqual(network.cause.message, 'network', 'a tag for logs, never shown');

    const cut = await failWith('/sse/cutoff/stream');
    expectEqual(cut.shown, '回答被中断了。', 'cut-off stream');
    expectEqual(lastAnswer(cut.el), 'Half an answer', 'the partial answer stays');
    expectEqual(part(cut.el, 'status')!.textContent, '这条回答不完整。', 'its note');

    const html = await failWith('/sse/html/stream');
    expectEqual(html.shown, '服务器没有返回流式回答。', 'a 200 text/html page');

    // The dev server's own 404 for a route it does not have: text/plain, no ErrorBody.
    const missing = await failWith('/no-such-route/stream');
    expectEqual([missing.cause.status, missing.cause.fromServer], [404, false], 'a bare 404');
    expectEqual(missing.shown, '出了点问题，请稍后再试。', 'a status with no words from the server');

    const bare503 = await failWith('/sse/unavailable/stream');
    expectEqual(bare503.shown, '服务器繁忙，请稍后再试。', 'a bare 503 from a proxy');
    expectEqual([bare503.cause.status, bare503.cause.fromServer], [503, false], 'its cause');

    // Three tokens, then silence: the watchdog gives up after 300 ms without a byte.
    const stalled = await failWith('/sse/silent/stream', 'zh-CN', 'heartbeat-timeout="300"');
    expectEqual(stalled.shown, '服务器没有响应，请稍后再试。', 'stalled stream');

    // The server's own words are shown as sent, even in a Chinese widget: the server may have localised them itself.
    const busy = await failWith('/sse/busy/stream');
    expectEqual(busy.shown, 'The server is busy, please try again shortly.', 'HTTP 503 ErrorBody.error verbatim');
    expectEqual([busy.cause.status, busy.cause.code, busy.cause.fromServer], [503, 'busy', true], 'its cause');
    const failing = await failWith('/sse/failing/stream');
    expectEqual(failing.shown, 'Model overloaded', '`error` event message verbatim');
    expectEqual([failing.cause.kind, failing.cause.fromServer], ['server', true], 'its cause');
  });

  it('an error already shown is re-worded when lang changes; English is unchanged', async () => {
    const { el, shown } = await failWith('http://127.0.0.1:2/chat/stream', 'en');
    expectEqual(shown, 'Could not reach the server. Check your connection.', 'English');
    el.setAttribute('lang', 'zh');
    await waitFor(() => part(el, 'error')!.textContent === '无法连接服务器，请检查网络。', 2000, 'Chinese error');
    el.strings = { errorNetwork: '网络断开了' };
    await el.updateComplete;
    expectEqual(part(el, 'error')!.textContent, '网络断开了', 'a strings override rewords it too');
  });

  it("the launcher's unread count is one phrase per language, with the language's own comma", async () => {
    const el = await fixture('<ai-chat lang="zh-CN" mode="launcher" endpoint="/sse/raw/stream"></ai-chat>');
    await el.send('一');
    await el.updateComplete;
    expectEqual(part(el, 'launcher')!.getAttribute('aria-label'), '打开对话，1 条新回答', 'one unread');
    await el.send('二');
    await el.updateComplete;
    expectEqual(part(el, 'launcher')!.getAttribute('aria-label'), '打开对话，2 条新回答', 'two unread');
  });
});
