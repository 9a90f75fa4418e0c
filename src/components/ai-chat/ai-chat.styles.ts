import { css } from 'lit';

/**
 * Styles of `<ai-chat>`. Every colour, font and size a host may change is a `--ai-chat-*` custom property read on
 * `:host` into a private `--_*` one with its default; parts remain for deeper changes.
 *
 * Isolation: page CSS can reach the host element itself (`* { all: unset; font: 40px serif !important }` matches
 * it) and, through inheritance, everything in the shadow tree that does not set its own value. So the host carries
 * only custom properties (which `all` never resets, CSS Cascade 4 §3.2), and the two top-level boxes, launcher and
 * panel, start from `all: initial` and set every inherited property they rely on. Sizes are in `px`, never `rem`,
 * because the page's root font size is page CSS too. `all` leaves `direction` alone, so `dir="rtl"` still inherits.
 */
export const aiChatStyles = css`
  :host {
    --_accent: var(--ai-chat-accent, #2563eb);
    --_on-accent: var(--ai-chat-on-accent, #fff);
    --_bg: var(--ai-chat-bg, #fff);
    --_surface: var(--ai-chat-surface, #f8fafc);
    --_text: var(--ai-chat-text, #0f172a);
    --_muted: var(--ai-chat-muted, #475569);
    --_border: var(--ai-chat-border, #e2e8f0);
    --_user-bg: var(--ai-chat-user-bg, #dbeafe);
    --_assistant-bg: var(--ai-chat-assistant-bg, #f1f5f9);
    --_error: var(--ai-chat-error, #b91c1c);
    --_shadow: var(--ai-chat-shadow, 0 12px 40px rgb(15 23 42 / 0.18));
    --_cs: light;
    --_font: var(--ai-chat-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_fs: var(--ai-chat-font-size, 15px);
    --_radius: var(--ai-chat-radius, 12px);
    --_sp: var(--ai-chat-spacing, 12px);
    --_z: var(--ai-chat-z-index, 2147483000);
    --_ox: var(--ai-chat-launcher-offset-x, 20px);
    --_oy: var(--ai-chat-launcher-offset-y, 20px);
    display: block;
  }

  /* Dark defaults: from the visitor's system unless theme="light", or forced with theme="dark". Same block twice. */
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --_accent: var(--ai-chat-accent, #93c5fd);
      --_on-accent: var(--ai-chat-on-accent, #0f172a);
      --_bg: var(--ai-chat-bg, #0f172a);
      --_surface: var(--ai-chat-surface, #1e293b);
      --_text: var(--ai-chat-text, #e2e8f0);
      --_muted: var(--ai-chat-muted, #94a3b8);
      --_border: var(--ai-chat-border, #334155);
      --_user-bg: var(--ai-chat-user-bg, #1e3a8a);
      --_assistant-bg: var(--ai-chat-assistant-bg, #1e293b);
      --_error: var(--ai-chat-error, #fca5a5);
      --_shadow: var(--ai-chat-shadow, 0 12px 40px rgb(0 0 0 / 0.5));
      --_cs: dark;
    }
  }

  :host([theme='dark']) {
    --_accent: var(--ai-chat-accent, #93c5fd);
    --_on-accent: var(--ai-chat-on-accent, #0f172a);
    --_bg: var(--ai-chat-bg, #0f172a);
    --_surface: var(--ai-chat-surface, #1e293b);
    --_text: var(--ai-chat-text, #e2e8f0);
    --_muted: var(--ai-chat-muted, #94a3b8);
    --_border: var(--ai-chat-border, #334155);
    --_user-bg: var(--ai-chat-user-bg, #1e3a8a);
    --_assistant-bg: var(--ai-chat-assistant-bg, #1e293b);
    --_error: var(--ai-chat-error, #fca5a5);
    --_shadow: var(--ai-chat-shadow, 0 12px 40px rgb(0 0 0 / 0.5));
    --_cs: dark;
  }

  [part~='panel'],
  [part~='launcher'] {
    all: initial;
    font: var(--_fs) / 1.5 var(--_font);
    color: var(--_text);
    color-scheme: var(--_cs);
  }

  *,
  ::before,
  ::after {
    box-sizing: border-box;
  }

  [hidden] {
    display: none !important;
  }

  [part~='panel'] {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 320px;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }

  /* Logical insets: the launcher and its panel sit at the inline end, which is the left in a right-to-left page. */
  :host([mode='launcher']) [part~='panel'],
  [part~='launcher'] {
    position: fixed;
    inset-inline-end: var(--_ox);
    inset-block-end: var(--_oy);
    z-index: var(--_z);
    box-shadow: var(--_shadow);
  }

  :host([mode='launcher']) [part~='panel'] {
    inset-block-end: calc(var(--_oy) + 68px);
    width: min(400px, calc(100vw - 2 * var(--_ox)));
    height: min(600px, calc(100dvh - var(--_oy) - 88px));
  }

  :host([launcher-position='start']) :is([part~='launcher'], [part~='panel']) {
    inset-inline: var(--_ox) auto;
  }

  [part~='header'] {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: var(--_sp);
    background: var(--_surface);
    border-bottom: 1px solid var(--_border);
  }

  [part~='heading'] {
    flex: 1;
    margin: 0;
    font-size: 1.07em;
    font-weight: 600;
  }

  [part~='log'] {
    flex: 1;
    overflow-y: auto;
    padding: var(--_sp);
    display: flex;
    flex-direction: column;
    gap: var(--_sp);
  }

  [part~='message'] {
    max-width: 85%;
    padding: 8px var(--_sp);
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
    min-width: 0;
  }

  [part~='user'] {
    align-self: end;
    background: var(--_user-bg);
    white-space: pre-wrap;
  }

  [part~='assistant'] {
    width: fit-content;
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
    margin: 0;
    padding: 8px;
  }

  [part~='code-block'] {
    margin: 0.75em 0;
    border-radius: 6px;
    background: color-mix(in srgb, var(--_text) 8%, transparent);
  }

  .code-header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 8px 0;
    font-size: 0.8em;
    color: var(--_muted);
  }

  [part~='copy-button'] {
    margin-inline-start: auto;
    padding: 2px 8px;
    font-size: 1em;
    border-color: var(--_border);
  }

  [part~='table'] {
    margin: 0.75em 0;
    overflow-x: auto;
  }

  [part~='table'] table {
    border-collapse: collapse;
  }

  [part~='table'] :is(th, td) {
    padding: 4px 8px;
    border: 1px solid var(--_border);
    overflow-wrap: normal;
  }

  a {
    color: var(--_accent);
  }

  [part~='status'] {
    display: block;
    margin-top: 4px;
    font-size: 0.87em;
    color: var(--_muted);
  }

  [part~='thinking'] {
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
    padding: 8px 0 0;
    padding-inline-start: 20px;
    border-top: 1px solid var(--_border);
    font-size: 0.93em;
  }

  [part~='error'] {
    margin: 0 var(--_sp) 8px;
    padding: 8px var(--_sp);
    border-radius: var(--_radius);
    color: var(--_error);
    background: color-mix(in srgb, var(--_error) 12%, var(--_bg));
  }

  [part~='empty'] {
    color: var(--_muted);
    text-align: center;
    margin: auto 0;
  }

  [part~='composer'] {
    display: flex;
    align-items: end;
    gap: 8px;
    padding: var(--_sp);
    border-top: 1px solid var(--_border);
    background: var(--_surface);
  }

  /* 16px or more stops iOS Safari from zooming the page when a field is focused. */
  [part~='input'],
  button {
    font: inherit;
    font-size: max(16px, var(--_fs));
    color: inherit;
    border-radius: calc(var(--_radius) / 1.5);
  }

  [part~='input'] {
    flex: 1;
    resize: none;
    min-height: 40px;
    max-height: 160px;
    padding: 8px 10px;
    background: var(--_bg);
    /* The field's edge is what identifies it: 3:1 against the panel (WCAG 1.4.11), so the muted colour. */
    border: 1px solid var(--_muted);
  }

  [part~='input']::placeholder {
    color: var(--_muted);
    opacity: 1;
  }

  button {
    cursor: pointer;
    padding: 8px 14px;
    background: none;
    border: 1px solid var(--_muted);
  }

  [part~='send'],
  [part~='launcher'] {
    background: var(--_accent);
    color: var(--_on-accent);
    border-color: transparent;
  }

  [part~='launcher'] {
    cursor: pointer;
    width: 56px;
    height: 56px;
    padding: 0;
    border-radius: 50%;
    display: grid;
    place-items: center;
  }

  [part~='launcher'] svg {
    width: 26px;
    height: 26px;
  }

  [part~='launcher-badge'] {
    position: absolute;
    top: -4px;
    inset-inline-end: -4px;
    min-width: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: #b91c1c;
    color: #fff;
    font: 700 12px/22px var(--_font);
  }

  [part~='retry'] {
    margin: 0 var(--_sp) 8px;
    align-self: start;
  }

  [part~='footer'] {
    padding: 0 var(--_sp);
    background: var(--_surface);
    color: var(--_muted);
    font-size: 0.8em;
    text-align: center;
  }

  ::slotted([slot='footer']) {
    display: block;
    padding-bottom: 8px;
  }

  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }

  .vh {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  /* A phone: the launcher's panel becomes a full-screen sheet clear of notches and home bars. Its height and top
     follow the visual viewport (set from script), which shrinks when the soft keyboard opens while dvh does not. */
  @media (max-width: 479.98px) {
    :host([mode='launcher']) [part~='panel'] {
      inset: var(--_vvt, 0) 0 auto;
      width: auto;
      height: var(--_vvh, 100dvh);
      min-height: 0;
      border: 0;
      border-radius: 0;
      padding: env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    * {
      animation: none !important;
      transition: none !important;
    }
  }
`;
