/**
 * Validation of a chat request's optional `history` (the conversation so far, sent by the client because the
 * server keeps no conversation state: any instance can answer any turn). Everything about it is bounded, since it
 * goes to a model whose input is paid for and limited: at most `Limits.maxHistoryTurns` entries whose `content`s add
 * up to at most `Limits.maxHistoryChars` UTF-16 code units.
 */
import { Limits, type ChatTurn } from '../protocol.js';

/** The turns, copied (no extra fields reach a model), or the plain-words reason they are rejected (→ 400). */
export function parseHistory(value: unknown): { history: ChatTurn[] } | { error: string } {
  if (value === undefined || value === null) return { history: [] };
  if (!Array.isArray(value)) return { error: '`history` must be an array of {role, content} objects.' };
  if (value.length > Limits.maxHistoryTurns) {
    return { error: `\`history\` has more than ${Limits.maxHistoryTurns} entries; send the newest ones.` };
  }
  const history: ChatTurn[] = [];
  let chars = 0;
  for (const [i, turn] of value.entries()) {
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
      return { error: `\`history[${i}]\` must be an object with \`role\` and \`content\`.` };
    }
    const { role, content } = turn as Record<string, unknown>;
    if (role !== 'user' && role !== 'assistant') {
      return { error: `\`history[${i}].role\` must be "user" or "assistant".` };
    }
    if (typeof content !== 'string') return { error: `\`history[${i}].content\` must be a string.` };
    chars += content.length;
    if (chars > Limits.maxHistoryChars) {
      return { error: `\`history\` is longer than ${Limits.maxHistoryChars} characters in all; send fewer turns.` };
    }
    history.push({ role, content });
  }
  return { history };
}
