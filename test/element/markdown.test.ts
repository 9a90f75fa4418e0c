import '../../src/ai-chat.js';
import { cleanup, expectEqual, expectTrue, fixture, part } from './helpers.js';

const HOSTILE = [
  'Hi <img src=x onerror="window.__pwned=1">',
  '[click](javascript:alert(1)) and [vb](vbscript:msgbox) and [ok](https://example.com/a)',
  '<script>window.__pwned=2</script>',
  '<iframe src="https://evil.example"></iframe><form action="/steal"><input name=p><button>Go</button></form>',
  '<a href="#" onclick="window.__pwned=3" style="position:fixed">styled</a><style>*{display:none}</style>',
  '<svg><a xlink:href="javascript:alert(1)"><text>svg</text></a></svg>',
  '[mail](mailto:a@example.com) [rel](/docs/page)',
].join('\n\n');

describe('<ai-chat> markdown safety', () => {
  afterEach(cleanup);

  it('renders hostile markdown without any dangerous element or attribute', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    el.messages = [{ id: 'a', role: 'assistant', content: HOSTILE }];
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    const bubble = part(el, 'assistant')!;
    expectEqual((window as { __pwned?: number }).__pwned, undefined, 'no script ran');
    for (const tag of ['script', 'iframe', 'form', 'input', 'button', 'style', 'object', 'embed']) {
      expectEqual(bubble.querySelectorAll(tag).length, 0, `no <${tag}>`);
    }
    for (const node of bubble.querySelectorAll('*')) {
      for (const attr of node.attributes) {
        expectTrue(!/^on/i.test(attr.name), `no event handler attribute (${attr.name} on ${node.tagName})`);
        expectTrue(attr.name !== 'style', `no style attribute on ${node.tagName}`);
        expectTrue(
          !/^\s*(javascript|vbscript|data):/i.test(attr.value),
          `no dangerous URL (${attr.name}=${attr.value})`,
        );
      }
    }
    const links = [...bubble.querySelectorAll('a[href]')] as HTMLAnchorElement[];
    expectEqual(
      links.map((a) => a.getAttribute('href')).sort(),
      // `x` is the `<img src=x>`: images from origins not in `image-origins` become links to them.
      ['#', '/docs/page', 'https://example.com/a', 'mailto:a@example.com', 'x'].sort(),
      'only safe links survive',
    );
    for (const a of links) {
      expectEqual([a.target, a.rel], ['_blank', 'noopener noreferrer'], `link ${a.href} opens safely`);
    }
  });

  it('renders GFM: code, tables, lists', async () => {
    const el = await fixture('<ai-chat></ai-chat>');
    el.messages = [
      {
        id: 'a',
        role: 'assistant',
        content: '```js\nlet x = 1 < 2;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two',
      },
    ];
    await el.updateComplete;
    const bubble = part(el, 'assistant')!;
    expectEqual(bubble.querySelector('pre code')?.textContent, 'let x = 1 < 2;\n', 'code block');
    expectEqual(bubble.querySelectorAll('td').length, 2, 'table');
    expectEqual(bubble.querySelectorAll('li').length, 2, 'list');
  });
});
