/**
 * The conversation as kept in Web Storage. Pure apart from the `Storage` it is handed, so it is tested against the
 * browser's real `localStorage` and against storages that throw. Nothing here ever throws: storage that is missing,
 * full, disabled or holding someone else's data only means "no history".
 *
 * Schema (key `ai-chat:v1:<conversation-id>`): `{"v":1,"messages":[{id,role,content,status?,sources?}…],"savedAt":ms}`.
 * A change of shape gets a new `v` and a new key prefix, so an old widget never misreads a new record (or the reverse).
 */
import type { Source } from '../protocol.js';
import type { ChatMessage } from '../types/chat-message.js';

/** The part of `Storage` used here, so a test or host can hand in any store. */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface SavedConversation {
  v: 1;
  messages: ChatMessage[];
  /** `Date.now()` of the save. */
  savedAt: number;
}

/** Where conversation `id` is kept. */
export const conversationKey = (id: string): string => `ai-chat:v1:${id}`;

/**
 * Where the generated conversation id is kept when the element has no `conversation-id`: one per origin, so the
 * conversation follows the reader from page to page of a site (the launcher case). It cannot collide with a
 * conversation key, which always starts with `ai-chat:v1:`.
 */
export const GENERATED_ID_KEY = 'ai-chat:conversation-id';

/**
 * Caps of what is written (and of what is accepted when read): the oldest turns are dropped until the record is at most
 * `maxChars` UTF-16 units (browsers meter the ~5 MB quota in those) and `maxMessages` messages.
 */
export const StorageLimits = { maxChars: 200_000, maxMessages: 200 } as const;

/** `f()`, or `undefined` if it throws: any storage access can (blocked, sandboxed, full, or not a browser at all). */
const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/** `localStorage`, or `undefined` where touching it throws (sandboxed iframes, storage blocked by the user) or in Node. */
export const browserStorage = (): StorageLike | undefined => attempt(() => localStorage);

/** Removes `key`; a storage that is missing or refuses has nothing to remove. */
export const forget = (storage: StorageLike | undefined, key: string): void => attempt(() => storage?.removeItem(key));

/** The messages saved for conversation `id`; `[]` for no record or one that is corrupt, foreign, old or oversized. */
export function loadConversation(storage: StorageLike | undefined, id: string): ChatMessage[] {
  const raw = attempt(() => storage?.getItem(conversationKey(id)));
  // Length checked before parsing, so a planted multi-megabyte string costs no JSON.parse.
  const data =
    raw && raw.length <= StorageLimits.maxChars ? attempt(() => JSON.parse(raw) as Partial<SavedConversation>) : null;
  const list = data?.v === 1 && Array.isArray(data.messages) ? data.messages : [];
  return list.length <= StorageLimits.maxMessages && list.every(isMessage)
    ? // A page can close mid-answer: what was saved of it is a stopped answer now, never a live stream.
      list.map(({ id, role, content, status, sources }) => ({
        id,
        role,
        content,
        status: status === 'streaming' ? 'stopped' : (status ?? 'completed'),
        sources,
      }))
    : [];
}

/**
 * Saves `messages` for conversation `id`, dropping whole turns from the start until the caps hold; an answer that
 * has no text yet is left out. Returns whether the write succeeded (`false` when the storage is missing or full: the
 * conversation simply is not kept).
 */
export function saveConversation(
  storage: StorageLike | undefined,
  id: string,
  messages: readonly ChatMessage[],
  now = Date.now(),
): boolean {
  const kept = messages.filter((m) => m.content || m.status !== 'streaming').slice(-StorageLimits.maxMessages);
  let size = JSON.stringify(kept).length + 50;
  // Drop from the front until the record fits, then up to the next question, so no answer is kept without it.
  while (kept[0] && (size > StorageLimits.maxChars || kept[0].role !== 'user')) {
    size -= JSON.stringify(kept.shift()).length + 1;
  }
  const record: SavedConversation = { v: 1, messages: kept, savedAt: now };
  return !!attempt(() => (storage!.setItem(conversationKey(id), JSON.stringify(record)), true));
}

/**
 * The conversation id kept under {@link GENERATED_ID_KEY}, or `generate()`'s result, kept there for the next load.
 * With no (working) storage the generated id lives as long as the element.
 */
export function keptConversationId(storage: StorageLike | undefined, generate: () => string): string {
  const kept = attempt(() => storage?.getItem(GENERATED_ID_KEY));
  if (kept && kept.length <= 200) return kept;
  const id = generate();
  attempt(() => storage?.setItem(GENERATED_ID_KEY, id));
  return id;
}

// `null` counts as absent: backends written in Python or Java send `"url": null`, and one such source must not make
// the whole saved conversation unreadable.
const optionalString = (value: unknown): boolean => value == null || typeof value == 'string';

function isMessage(value: unknown): value is ChatMessage {
  const m = value as Partial<ChatMessage> | null;
  return (
    typeof m?.id == 'string' &&
    m.id.length <= 200 &&
    (m.role === 'user' || m.role === 'assistant') &&
    typeof m.content == 'string' &&
    (m.status === undefined || ['completed', 'stopped', 'error', 'streaming'].includes(m.status)) &&
    (m.sources === undefined ||
      (Array.isArray(m.sources) &&
        m.sources.every(
          (s: Partial<Source> | null) =>
            typeof s?.title == 'string' && optionalString(s.url) && optionalString(s.snippet),
        )))
  );
}
