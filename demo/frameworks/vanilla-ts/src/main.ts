import 'ai-chat-element';

// `querySelector('ai-chat')` is typed as `AiChat` and its events as `AiChatDoneEvent`, … by the package's
// `HTMLElementTagNameMap` and `GlobalEventHandlersEventMap` entries: no casts needed.
const chat = document.querySelector('ai-chat')!;
const form = document.querySelector<HTMLFormElement>('#ask')!;
const status = document.querySelector('#status')!;

// Objects and functions are properties, not attributes.
chat.headers = { 'X-Example': 'vanilla-ts' };
chat.strings = { send: 'Ask' };
chat.messages = [
  { id: 'welcome', role: 'assistant', content: 'Hi! Ask me about **theming** or **events**.', status: 'completed' },
];

chat.addEventListener('ai-chat-done', (e) => {
  status.textContent = `done: ${e.detail.message.content.length} chars`;
});
chat.addEventListener('ai-chat-error', (e) => {
  status.textContent = `error: ${e.detail.error}`;
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = String(new FormData(form).get('question') ?? '');
  form.reset();
  void chat.send(question);
});
