// Fills every gallery chat with the same short conversation (a list, a code block and a source) through the
// `messages` property, and asks the launcher one real question while its panel is closed, so its unread badge shows.
const conversation = [
  { id: 'q1', role: 'user', content: 'How do I match the widget to my brand?', status: 'completed' },
  {
    id: 'a1',
    role: 'assistant',
    status: 'completed',
    content: [
      'Two things cross the shadow boundary:',
      '',
      '1. **Custom properties** for colours, font and sizes',
      '2. **Parts** for any other rule',
      '',
      '```css',
      'ai-chat::part(send) {',
      '  border-radius: 999px;',
      '}',
      '```',
    ].join('\n'),
    sources: [{ id: 'theming', title: 'Theming the widget', url: '/docs/theming.md' }],
  },
];

await customElements.whenDefined('ai-chat');
for (const chat of document.querySelectorAll('.gallery ai-chat:not([mode="launcher"])')) {
  chat.messages = conversation;
}

const launcher = document.getElementById('launcher');
launcher.addEventListener('ai-chat-done', () => document.body.setAttribute('data-launcher-answered', ''), {
  once: true,
});
void launcher.send('How do I theme the widget?');
