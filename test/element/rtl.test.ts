// Right-to-left: `dir="rtl"` on the element, or inherited from the page, mirrors the layout (CSS logical properties).
import '../../src/ai-chat.js';
import type { AiChat } from '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part, resetFixtureLog } from './helpers.js';

const box = (node: Element | null) => node!.getBoundingClientRect();

const HISTORY = [
  { id: 'u', role: 'user' as const, content: 'سؤال', status: 'completed' as const },
  {
    id: 'a',
    role: 'assistant' as const,
    // Long enough for a full-width bubble, so the code block's header has room between its label and button.
    content: `${'جواب '.repeat(40)}\n\n\`\`\`js\nlet a = 1;\n\`\`\``,
    status: 'completed' as const,
    sources: [{ title: 'Guide', url: 'https://example.com/' }],
  },
];

/** Where things sit, against the log's sides (12px is its padding). */
function layout(el: AiChat) {
  const log = box(part(el, 'log'));
  const user = box(part(el, 'user'));
  const assistant = box(part(el, 'assistant'));
  const codeHeader = box(part(el, 'code-block')!.firstElementChild);
  const copy = box(part(el, 'copy-button'));
  const sources = getComputedStyle(part(el, 'sources')!);
  return {
    userAtRight: Math.round(log.right - user.right) === 12 + scrollbar(el),
    assistantAtLeft: Math.round(assistant.left - log.left) === 12,
    copyAtRight: Math.round(codeHeader.right - copy.right) === 8,
    copyAtLeft: Math.round(copy.left - codeHeader.left) === 8,
    sourcesIndent: sources.direction === 'rtl' ? sources.paddingRight : sources.paddingLeft,
  };
}

/** The log's vertical scrollbar width, if it has one (it sits on the left in RTL, on the right otherwise). */
function scrollbar(el: AiChat): number {
  const log = part(el, 'log')!;
  return log.offsetWidth - log.clientWidth;
}

describe('<ai-chat dir="rtl">', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  it('mirrors the launcher and its panel to the left, from its own dir or the page', async () => {
    const width = document.documentElement.clientWidth;
    const ltr = await fixture('<ai-chat mode="launcher" open></ai-chat>');
    expectEqual(Math.round(width - box(part(ltr, 'launcher')).right), 20, 'LTR: launcher on the right');
    cleanup();

    const own = await fixture('<ai-chat mode="launcher" open dir="rtl"></ai-chat>');
    expectEqual(Math.round(box(part(own, 'launcher')).left), 20, 'launcher on the left');
    expectEqual(Math.round(box(part(own, 'panel')).left), 20, 'panel on the left');
    cleanup();

    const page = await fixture<HTMLElement>('<div dir="rtl"><ai-chat mode="launcher" open></ai-chat></div>');
    const inherited = page.querySelector('ai-chat')!;
    await inherited.updateComplete;
    expectEqual(Math.round(box(part(inherited, 'launcher')).left), 20, 'inherited: launcher on the left');
    expectEqual(getComputedStyle(part(inherited, 'panel')!).direction, 'rtl', 'the panel reads right to left');

    // The header: heading at the right, close button at the left.
    const heading = box(part(inherited, 'heading'));
    const close = box(part(inherited, 'close'));
    expectTrue(close.right <= heading.left, 'close button left of the heading');
    expectEqual(getComputedStyle(part(inherited, 'heading')!).textAlign, 'start', 'text aligned to the start');
    inherited.setAttribute('launcher-position', 'start');
    expectEqual(
      Math.round(width - box(part(inherited, 'launcher')).right),
      20,
      'launcher-position="start" is the right in RTL',
    );
  });

  it('puts the user bubble on the left and the answer on the right, copy button and sources mirrored', async () => {
    const ltr = await fixture('<ai-chat style="height: 420px"></ai-chat>');
    ltr.messages = HISTORY;
    await ltr.updateComplete;
    const l = layout(ltr);
    expectEqual(
      [l.userAtRight, l.assistantAtLeft, l.copyAtRight, l.sourcesIndent],
      [true, true, true, '20px'],
      'LTR: user at the right, answer at the left, copy at the right',
    );
    cleanup();

    const rtl = await fixture('<ai-chat dir="rtl" style="height: 420px"></ai-chat>');
    rtl.messages = HISTORY;
    await rtl.updateComplete;
    const log = box(part(rtl, 'log'));
    const user = box(part(rtl, 'user'));
    const assistant = box(part(rtl, 'assistant'));
    const bar = scrollbar(rtl);
    expectEqual(Math.round(user.left - log.left), 12 + bar, 'user bubble at the left');
    expectEqual(Math.round(log.right - assistant.right), 12, 'answer at the right');
    const r = layout(rtl);
    expectEqual([r.copyAtLeft, r.sourcesIndent], [true, '20px'], 'copy at the left, sources indented on the right');
    expectEqual(getComputedStyle(part(rtl, 'sources')!).paddingLeft, '0px', 'no indent on the left');
  });

  it('the unread badge sits on the launcher corner nearer the page edge in RTL', async () => {
    const el = await fixture('<ai-chat mode="launcher" dir="rtl" endpoint="/sse/raw/stream"></ai-chat>');
    await el.send('q');
    await el.updateComplete;
    const badge = box(part(el, 'launcher-badge'));
    const launcher = box(part(el, 'launcher'));
    expectTrue(badge.left < launcher.left, 'badge sticks out on the left');
  });
});
