/** A chat's title when the user gives none: its first message, shortened. */

/** Longest title, in characters (the chat list shows one line). */
export const CHAT_TITLE_CHARS = 60;

/**
 * The title of a chat from its first message: whitespace collapsed, cut at a word boundary to at most
 * CHAT_TITLE_CHARS characters with "…"; "New chat" for a message with no text.
 */
export function chatTitleFromMessage(content: string): string {
  const text = content.replace(/\s+/g, ' ').trim();
  if (text === '') return 'New chat';
  if (text.length <= CHAT_TITLE_CHARS) return text;
  const cut = text.slice(0, CHAT_TITLE_CHARS - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > CHAT_TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
