/** XML character data: `&`, `<` and `>` (the last so that `]]>` can never appear). */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * A double-quoted XML attribute value: markup characters and the quote escaped, and newlines and
 * tabs written as references, which attribute-value normalisation would otherwise turn into spaces.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}
