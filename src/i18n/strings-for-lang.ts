import type { AiChatStrings } from '../components/ai-chat/default-strings.js';
import { defaultStrings } from '../components/ai-chat/default-strings.js';
import { zhStrings } from './strings-zh.js';

/**
 * The built-in table for a BCP 47 tag: any `zh` tag (`zh`, `zh-CN`, `zh-Hans`, `zh-SG`, but also `zh-TW`, `zh-HK`,
 * `zh-Hant`) gets Simplified Chinese, which a Traditional-script reader reads far more easily than English (pass a
 * Traditional table through `strings` to do better; docs/embedding.md has one); anything else, `''` included, English.
 * Matching is case-insensitive and accepts `_` for `-` (`zh_CN`, as some CMSs write it).
 */
export function stringsForLang(lang: string): AiChatStrings {
  return /^zh(?:[-_]|$)/i.test(lang) ? zhStrings : defaultStrings;
}
