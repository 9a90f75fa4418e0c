import '../../src/ai-chat.js';
import type { AiChatErrorEvent } from '../../src/events/ai-chat-error-event.js';
import { cleanup, expectEqual, expectTrue, fixture, lastAnswer, part, record, resetFixtureLog } from './helpers.js';

/** Sends to `fixtureName` and returns the element, the error events and the rendered alert text. */
async function sendTo(fixtureName: string) {
  // Retries off: these cases are about how a final failure is shown (retries have their own tests).
  const el = await fixture(`<ai-chat max-retries="0" endpoint="/sse/${fixtureName}/stream"></ai-chat>`);
  const errors = record(el, ['ai-chat-error']) as AiChatErrorEvent[];
  await el.send('q');
  await el.updateComplete;
  return { el, errors, alert: part(el, 'error') };
}

describe('<ai-chat> errors', () => {
  beforeEach(resetFixtureLog);
  afterEach(cleanup);

  const cases: [string, RegExp][] = [
    ['unauthorized', /Not authorised/],
    ['busy', /server is busy/i],
    ['html', /did not answer with a stream/],
    ['malformed', /malformed/i],
    ['cutoff', /cut off/],
    ['failing', /Model overloaded/],
    ['does-not-exist', /.+/],
  ];
  for (const [name, pattern] of cases) {
    it(`shows a readable error in the widget: ${name}`, async () => {
      const { el, errors, alert } = await sendTo(name);
      expectTrue(alert, 'error part rendered');
      expectEqual(alert!.getAttribute('role'), 'alert', 'role=alert');
      expectTrue(pattern.test(alert!.textContent ?? ''), `error text "${alert!.textContent}" matches ${pattern}`);
      expectEqual(errors.length, 1, 'one ai-chat-error');
      expectEqual(errors[0]!.detail.error, alert!.textContent, 'event detail matches the shown text');
      expectEqual(errors[0]!.detail.fatal, true, 'fatal');
      expectEqual(el.getAttribute('state'), 'error', 'state=error');
    });
  }

  it('keeps a partial answer when the stream is cut off', async () => {
    const { el } = await sendTo('cutoff');
    expectEqual(lastAnswer(el), 'Half an answer', 'partial answer kept');
    expectEqual(el.messages.at(-1)?.status, 'error', 'marked as error');
  });

  it('stays usable: the next send works and clears the error', async () => {
    const { el } = await sendTo('busy');
    el.endpoint = '/sse/raw/stream';
    await el.send('again');
    await el.updateComplete;
    expectEqual(part(el, 'error'), null, 'error cleared');
    expectEqual(lastAnswer(el), 'Hello, world!', 'answer after error');
    expectEqual(el.getAttribute('state'), 'idle', 'idle');
  });
});
