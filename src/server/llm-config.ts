/**
 * The model settings (`LLM_*`), parsed as strictly as the rest of the server's configuration: a setting that cannot
 * be what was meant stops the server with a message naming the variable. Messages never echo `LLM_API_KEY`.
 */

/** How the companion server reaches an OpenAI-compatible `/chat/completions` endpoint. */
export interface LlmConfig {
  /**
   * `LLM_BASE_URL`: the API root that `/chat/completions` is appended to, e.g. `https://api.openai.com/v1` or
   * `http://127.0.0.1:11434/v1`; trailing slashes are dropped. Unset (the default) → the demo responder answers.
   * Fails at start when it is not an absolute http(s) URL, or carries credentials, a query or a fragment.
   */
  baseUrl: string;
  /**
   * `LLM_API_KEY`, default none: sent as `Authorization: Bearer <key>`. Local servers (Ollama, llama.cpp,
   * LM Studio) need none. Fails at start when it contains whitespace or control characters (a pasted newline).
   */
  apiKey: string | undefined;
  /** `LLM_MODEL`, required with `LLM_BASE_URL`: the `model` field of each request, e.g. `gpt-4o-mini`. */
  model: string;
  /**
   * `LLM_TIMEOUT_MS`, default 60000: the longest the model server may stay silent, before its response headers and
   * between two chunks of its stream. Past it the request is aborted and the answer ends with `upstream_timeout`.
   */
  timeoutMs: number;
  /**
   * `LLM_STREAM_USAGE`, default false (`true`/`1` or `false`/`0`): send `stream_options: {include_usage: true}` so
   * the stream ends with a token-usage chunk. Off by default because some OpenAI-compatible servers reject fields
   * they do not know with a 400; turn it on for servers that accept it (OpenAI, vLLM, recent Ollama/llama.cpp).
   */
  streamUsage: boolean;
}

type Env = Record<string, string | undefined>;

const LLM_VARIABLES = ['LLM_API_KEY', 'LLM_MODEL', 'LLM_TIMEOUT_MS', 'LLM_STREAM_USAGE'] as const;

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `Invalid LLM_BASE_URL=${JSON.stringify(raw)}: expected an absolute URL such as http://127.0.0.1:11434/v1.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Invalid LLM_BASE_URL=${JSON.stringify(raw)}: expected an http:// or https:// URL.`);
  }
  // Credentials in a URL end up in logs; the key has its own variable. A query or fragment would end up in front
  // of the `/chat/completions` that is appended to the path.
  if (url.username !== '' || url.password !== '') {
    throw new Error('Invalid LLM_BASE_URL: it must not contain credentials; put the key in LLM_API_KEY.');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new Error(`Invalid LLM_BASE_URL=${JSON.stringify(raw)}: it must not have a query or a fragment.`);
  }
  return url.href.replace(/\/+$/, '');
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return 60_000;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`Invalid LLM_TIMEOUT_MS=${JSON.stringify(raw)}: expected an integer of at least 1.`);
  }
  return value;
}

function parseFlag(raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`Invalid LLM_STREAM_USAGE=${JSON.stringify(raw)}: expected true, false, 1 or 0.`);
}

/** The model settings, or `undefined` when `LLM_BASE_URL` is unset (the demo responder then answers). */
export function loadLlmConfig(env: Env): LlmConfig | undefined {
  const base = present(env, 'LLM_BASE_URL');
  if (base === undefined) {
    // A model setting without a base URL is a half-done configuration: running the demo instead would hide it.
    const stray = LLM_VARIABLES.find((name) => present(env, name) !== undefined);
    if (stray !== undefined) throw new Error(`${stray} is set but LLM_BASE_URL is not: set both, or neither.`);
    return undefined;
  }
  const model = present(env, 'LLM_MODEL');
  if (model === undefined) {
    throw new Error('LLM_MODEL is required when LLM_BASE_URL is set (for example gpt-4o-mini or llama3.2).');
  }
  const apiKey = present(env, 'LLM_API_KEY');
  // Checked without echoing the value: a key must never reach a log.
  if (apiKey !== undefined && /[\s\0-\x1f\x7f]/.test(apiKey)) {
    throw new Error('Invalid LLM_API_KEY: it contains whitespace or control characters.');
  }
  return {
    baseUrl: parseBaseUrl(base),
    apiKey,
    model,
    timeoutMs: parseTimeout(present(env, 'LLM_TIMEOUT_MS')),
    streamUsage: parseFlag(present(env, 'LLM_STREAM_USAGE')),
  };
}
