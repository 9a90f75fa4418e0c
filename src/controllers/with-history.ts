/**
 * Adds the conversation so far to a chat request. The companion server keeps no conversation state (any instance
 * may answer any turn), so the element sends the earlier turns itself; a backend that does not use them ignores
 * the field. What is sent is bounded by the server's {@link Limits}, newest turns kept, so a long conversation
 * never gets its question refused: at most `maxHistoryTurns` turns, `maxHistoryChars` characters, and what still
 * fits under `maxBodyBytes` once encoded (non-Latin text takes up to 3 bytes a character).
 */
import { Limits, type ChatRequest, type ChatTurn } from '../protocol.js';
import type { ChatMessage } from '../types/chat-message.js';

const encoder = new TextEncoder();
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/**
 * `request` plus `history`: the completed, non-empty messages before the question that `answerId` answers (that
 * question and any later message excluded), newest kept within the limits. Without any, `request` is returned as is.
 * Stopped or failed answers are left out: they are not what the assistant said.
 */
export function withHistory(request: ChatRequest, messages: readonly ChatMessage[], answerId: string): ChatRequest {
  const at = messages.findIndex((m) => m.id === answerId);
  let earlier = at === -1 ? messages : messages.slice(0, at);
  // The user message right before the answer is the question itself, already in `message`.
  if (earlier.at(-1)?.role === 'user') earlier = earlier.slice(0, -1);

  // `,"history":[]` and the commas between turns, on top of the request as it is.
  let budget = Limits.maxBodyBytes - bytes(request) - 16;
  let chars = 0;
  const history: ChatTurn[] = [];
  for (let i = earlier.length - 1; i >= 0 && history.length < Limits.maxHistoryTurns; i--) {
    const { role, content, status } = earlier[i];
    if (content === '' || (status !== undefined && status !== 'completed')) continue;
    const turn: ChatTurn = { role, content };
    const size = bytes(turn) + 1;
    // Stop at the first turn that does not fit, so what is sent is always the newest stretch, without gaps.
    if (chars + content.length > Limits.maxHistoryChars || size > budget) break;
    chars += content.length;
    budget -= size;
    history.push(turn);
  }
  return history.length === 0 ? request : { ...request, history: history.reverse() };
}
