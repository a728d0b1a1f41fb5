/** The chat panel's sink: answers as escaped markdown, fenced blocks, tables and buttons in a response stream. */
import type * as vscode from 'vscode';
import { CHAT_INVOKE_COMMAND, type ChatSink } from '../../chat/answerContext';
import { escapeMarkdown, fenced, outputMarkdown } from '../../chat/chatText';
import { agentTable } from '../../chat/statusText';

export function panelSink(stream: vscode.ChatResponseStream): ChatSink {
  return {
    text: (text) => stream.markdown(`${escapeMarkdown(text)}\n\n`),
    block: (text) => stream.markdown(fenced(text)),
    lines: (lines) => {
      const md = outputMarkdown(lines);
      if (md) stream.markdown(md);
    },
    table: (agents) => stream.markdown(agentTable(agents)),
    progress: (message) => stream.progress(message),
    button: (title, command, args) => stream.button({ title, command, arguments: args }),
    confirm: (confirm) => stream.button({ title: confirm.title, command: CHAT_INVOKE_COMMAND, arguments: [confirm] }),
    markdown: (markdown) => stream.markdown(markdown),
  };
}
