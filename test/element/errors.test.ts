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

  // Fixture, the text shown, and `detail.cause`'s [kind, status, fromServer]: the server's own words (fromServer) are
  // shown as sent; otherwise the widget's string for the kind.
  const cases: [string, RegExp, [string, number | undefined, boolean]][] = [
    ['unauthorized', /^Not authorised$/, ['status', 401, true]],
    ['busy', /^The server is busy, please try again shortly\.$/, ['status', 503, true]],
    ['html', /^The server did not answer with a stream\.$/, ['not-event-stream', 200, false]],
    ['malformed', /^The server sent a malformed event\.$/, ['malformed', undefined, false]],
    ['cutoff', /^The answer was cut off\.$/, ['premature-close', undefined, false]],
    ['failing', /^Model overloaded$/, ['server', undefined, true]],
    ['does-not-exist', /^No such fixture$/, ['status', 404, true]],
  ];
  for (const [name, pattern, cause] of cases) {
    it(`shows a readable error in the widget: ${name}`, async () => {
      const { el, errors, alert } = await sendTo(name);
      expectTrue(alert, 'error part rendered');
      expectEqual(alert!.getAttribute('role'), 'alert', 'role=alert');
      expectTrue(pattern.test(alert!.textContent ?? ''), `error text "${alert!.textContent}" matches ${pattern}`);
      expectEqual(errors.length, 1, 'one ai-chat-error');
      expectEqual(errors[0]!.detail.error, alert!.textContent, 'event detail matches the shown text');
      expectEqual(errors[0]!.detail.fatal, true, 'fatal');
      const { kind, status, fromServer } = errors[0]!.detail.cause;
      expectEqual<unknown[]>([kind, status, fromServer], cause, 'detail.cause: kind, status, fromServer');
      expectEqual(el.getAttribute('state'), 'error', 'state=error');
    });
  }

  it('a headers function that throws fails the send with the generic text, its error kept as the cause', async () => {
    const el = await fixture(`<ai-chat endpoint="/sse/raw/stream"></ai-chat>`);
    const errors = record(el, ['ai-chat-error']) as AiChatErrorEvent[];
    const thrown = new Error('token store unavailable');
    el.headers = () => {
      throw thrown;
    };
    await el.send('q');
    await el.updateComplete;
    expectEqual(part(el, 'error')!.textContent, 'Something went wrong. Please try again.', 'generic text');
    expectEqual(errors[0]!.detail.cause.kind, undefined, 'no stream failure kind');
    expectEqual(errors[0]!.detail.cause.cause, thrown, "the app's own error is the cause's cause");
    el.headers = {};
    el.endpoint = '/sse/raw/stream';
    await el.send('again');
    expectEqual(lastAnswer(el), 'Hello, world!', 'usable after');
  });

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
