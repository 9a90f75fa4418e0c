import type { AiChatStrings } from '../components/ai-chat/default-strings.js';

/**
 * Simplified Chinese (`zh`, `zh-CN`, `zh-Hans`, `zh-SG`, and every other `zh-*`, see `stringsForLang`). Written as a
 * person would phrase the UI, not word for word: full-width punctuation, `…` for ongoing work.
 */
export const zhStrings: AiChatStrings = {
  heading: '文档问答',
  inputLabel: '消息',
  placeholder: '输入你的问题…',
  send: '发送',
  stop: '停止',
  close: '关闭',
  openChat: '打开对话',
  closeChat: '关闭对话',
  thinking: '正在思考…',
  sources: '参考来源',
  stopped: '已停止',
  failed: '这条回答不完整。',
  empty: '关于文档的任何问题，都可以问我。',
  you: '我',
  assistant: '助手',
  reconnecting: '正在重新连接…',
  retry: '重试',
  copyCode: '复制代码',
  copied: '已复制',
  generating: '正在生成回答…',
  answerComplete: '回答已完成',
  openChatNewAnswer: '打开对话，1 条新回答',
  openChatNewAnswers: '打开对话，{n} 条新回答',
  errorNetwork: '无法连接服务器，请检查网络。',
  errorPrematureClose: '回答被中断了。',
  errorStalled: '服务器没有响应，请稍后再试。',
  errorNotEventStream: '服务器没有返回流式回答。',
  errorMalformed: '服务器返回的数据有误。',
  errorBusy: '服务器繁忙，请稍后再试。',
  errorAuth: '没有权限，请登录后再试。',
  errorRejected: '消息发送失败，可能太长了。',
  errorServer: '服务器出错了，请稍后再试。',
  errorGeneric: '出了点问题，请稍后再试。',
};
