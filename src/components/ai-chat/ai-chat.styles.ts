import { css } from 'lit';

/**
 * Styles of `<ai-chat>`. Every colour, font and size a host may want to change is a custom property on `:host` with a
 * fallback, so theming never needs `::part` for the basics; parts remain for deeper changes.
 */
export const aiChatStyles = css`
  :host {
    --_accent: var(--ai-chat-accent, #2563eb);
    --_bg: var(--ai-chat-bg, #ffffff);
    --_surface: var(--ai-chat-surface, #f8fafc);
    --_text: var(--ai-chat-text, #0f172a);
    --_muted: color-mix(in srgb, var(--_text) 60%, transparent);
    --_border: color-mix(in srgb, var(--_text) 15%, transparent);
    --_font: var(--ai-chat-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_radius: var(--ai-chat-radius, 12px);
    --_user-bg: var(--ai-chat-user-bg, #dbeafe);
    --_assistant-bg: var(--ai-chat-assistant-bg, #f1f5f9);
    --_z: var(--ai-chat-z-index, 2147483000);
    --_shadow: var(--ai-chat-shadow, 0 12px 40px rgb(15 23 42 / 0.18));
    --_error: #b91c1c;

    display: block;
    font-family: var(--_font);
    color: var(--_text);
    line-height: 1.5;
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--ai-chat-bg, #0f172a);
      --_surface: var(--ai-chat-surface, #1e293b);
      --_text: var(--ai-chat-text, #e2e8f0);
      --_user-bg: var(--ai-chat-user-bg, #1e3a8a);
      --_assistant-bg: var(--ai-chat-assistant-bg, #1e293b);
      --_shadow: var(--ai-chat-shadow, 0 12px 40px rgb(0 0 0 / 0.5));
      --_error: #fca5a5;
    }
  }

  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  [part~='panel'] {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 320px;
    max-height: 100%;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }

  :host([mode='launcher']) [part~='panel'] {
    position: fixed;
    right: 20px;
    bottom: 88px;
    z-index: var(--_z);
    width: min(400px, calc(100vw - 40px));
    height: min(600px, calc(100vh - 120px));
    box-shadow: var(--_shadow);
  }

  [part~='header'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 12px 16px;
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
  }

  [part~='heading'] {
    flex: 1;
    margin: 0;
    font-size: 1rem;
    font-weight: 600;
  }

  [part~='log'] {
    flex: 1;
    overflow-y: auto;
    padding: 16px;
    display: flex;
    flex-direction: column;
    gap: 12px;
  }

  [part~='message'] {
    max-width: 85%;
    padding: 8px 12px;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }

  [part~='user'] {
    align-self: flex-end;
    background: var(--_user-bg);
    white-space: pre-wrap;
  }

  [part~='assistant'] {
    align-self: flex-start;
    background: var(--_assistant-bg);
  }

  [part~='assistant'] :first-child {
    margin-top: 0;
  }

  [part~='assistant'] :last-child {
    margin-bottom: 0;
  }

  [part~='assistant'] pre {
    overflow-x: auto;
    padding: 8px;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_text) 8%, transparent);
  }

  [part~='assistant'] {
    min-width: 0;
  }

  [part~='code-block'] {
    margin: 0.75em 0;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_text) 8%, transparent);
  }

  [part~='code-block'] pre {
    margin: 0;
    background: none;
  }

  .code-header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    padding: 4px 8px 0;
    font-size: 0.75em;
    color: var(--_muted);
  }

  [part~='copy-button'] {
    margin-left: auto;
    padding: 2px 8px;
    border: 1px solid color-mix(in srgb, var(--_text) 20%, transparent);
    border-radius: 4px;
    background: transparent;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }

  [part~='copy-button']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }

  [part~='table'] {
    max-width: 100%;
    margin: 0.75em 0;
    overflow-x: auto;
  }

  [part~='table'] table {
    border-collapse: collapse;
  }

  [part~='table'] th,
  [part~='table'] td {
    padding: 4px 8px;
    border: 1px solid color-mix(in srgb, var(--_text) 15%, transparent);
    overflow-wrap: normal;
  }

  [part~='assistant'] a,
  [part~='source'] {
    color: var(--_accent);
  }

  [part~='status'] {
    display: block;
    margin-top: 4px;
    font-size: 0.8em;
    color: var(--_muted);
  }

  [part~='thinking'] {
    align-self: flex-start;
    color: var(--_muted);
    font-style: italic;
    animation: ai-chat-pulse 1.4s ease-in-out infinite;
  }

  @keyframes ai-chat-pulse {
    50% {
      opacity: 0.45;
    }
  }

  [part~='sources'] {
    margin: 8px 0 0;
    padding: 8px 0 0 16px;
    border-top: 1px solid var(--_border);
    font-size: 0.875em;
  }

  [part~='error'] {
    margin: 0 16px 8px;
    padding: 8px 12px;
    border-radius: var(--_radius);
    color: var(--_error);
    background: color-mix(in srgb, var(--_error) 12%, transparent);
  }

  [part~='empty'] {
    color: var(--_muted);
    text-align: center;
    margin: auto 0;
  }

  [part~='composer'] {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 12px;
    border-top: 1px solid var(--_border);
    background: var(--_surface);
  }

  [part~='input'] {
    flex: 1;
    resize: none;
    min-height: 40px;
    max-height: 160px;
    padding: 8px 10px;
    /* 16px or more stops iOS Safari from zooming the page when the field is focused. */
    font: inherit;
    font-size: max(16px, 1rem);
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 1.5);
  }

  button {
    font: inherit;
    font-size: max(16px, 1rem);
    cursor: pointer;
    border-radius: calc(var(--_radius) / 1.5);
    border: 1px solid transparent;
    padding: 8px 14px;
  }

  [part~='send'] {
    background: var(--_accent);
    color: #fff;
  }

  [part~='send']:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }

  [part~='stop'],
  [part~='close'] {
    background: transparent;
    color: inherit;
    border-color: var(--_border);
  }

  [part~='launcher'] {
    position: fixed;
    right: 20px;
    bottom: 20px;
    z-index: var(--_z);
    width: 56px;
    height: 56px;
    padding: 0;
    border-radius: 50%;
    background: var(--_accent);
    color: #fff;
    box-shadow: var(--_shadow);
    display: grid;
    place-items: center;
  }

  [part~='launcher'] svg {
    width: 26px;
    height: 26px;
  }

  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
    }
  }
`;
