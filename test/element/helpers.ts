// Tiny assertion and DOM helpers: the suite needs nothing beyond what the browser and web-test-runner provide.
// Test files import the element themselves (classic.test.ts must get it from the classic bundle only).
import type { AiChat } from '../../src/ai-chat.js';

export function expectEqual<T>(actual: T, expected: T, message = 'values differ'): void {
  if (!Object.is(actual, expected) && JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${message}\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(actual)}`);
  }
}

export function expectTrue(value: unknown, message: string): void {
  if (!value) throw new Error(message);
}

/** Polls `predicate` each animation frame until it returns a truthy value, or throws after `timeout` ms. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeout = 4000,
  what = 'condition',
): Promise<Truthy<T>> {
  const start = performance.now();
  for (;;) {
    const value = await predicate();
    if (value) return value as Truthy<T>;
    if (performance.now() - start > timeout) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const mounted: Element[] = [];

/** Mounts `markup` (one root element) into the document and waits for its first render. */
export async function fixture<T extends Element = AiChat>(markup: string): Promise<T> {
  const template = document.createElement('template');
  template.innerHTML = markup.trim();
  const el = template.content.firstElementChild as T;
  document.body.append(el);
  mounted.push(el);
  await (el as unknown as { updateComplete?: Promise<unknown> }).updateComplete;
  return el;
}

/** Removes everything `fixture` mounted (disconnecting aborts any stream). */
export function cleanup(): void {
  for (const el of mounted.splice(0)) el.remove();
}

export function part(el: AiChat, name: string): HTMLElement | null {
  return el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
}

export function parts(el: AiChat, name: string): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
}

/** Text of the last assistant bubble, trimmed (marked ends block elements with a newline). */
export function lastAnswer(el: AiChat): string | undefined {
  return parts(el, 'assistant').at(-1)?.textContent?.trim();
}

export interface FixtureLog {
  requests: {
    fixture: string;
    body: Record<string, unknown>;
    authorization: string | null;
    accept: string | null;
    at: number;
    lastEventId: string | null;
  }[];
  stops: { fixture: string; body: { message_id?: string } }[];
}

export async function fixtureLog(): Promise<FixtureLog> {
  return (await fetch('/sse/log')).json() as Promise<FixtureLog>;
}

export async function resetFixtureLog(): Promise<void> {
  await fetch('/sse/log/reset', { method: 'POST' });
}

/** Records every event of `names` dispatched on `el`, in order. */
export function record(el: EventTarget, names: string[]): Event[] {
  const events: Event[] = [];
  for (const name of names) el.addEventListener(name, (e) => events.push(e));
  return events;
}

/** Types into the input and presses a key there, the way a user does. */
export function typeAndPress(el: AiChat, text: string, init: KeyboardEventInit = { key: 'Enter' }): KeyboardEvent {
  const input = part(el, 'input') as HTMLTextAreaElement;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  const event = new KeyboardEvent('keydown', { bubbles: true, composed: true, cancelable: true, ...init });
  input.dispatchEvent(event);
  return event;
}

/** Polls the fixture log until `predicate` holds. */
export async function waitForLog(
  predicate: (log: FixtureLog) => boolean,
  what: string,
  timeout = 3000,
): Promise<FixtureLog> {
  const start = performance.now();
  for (;;) {
    const log = await fixtureLog();
    if (predicate(log)) return log;
    if (performance.now() - start > timeout) throw new Error(`Timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
