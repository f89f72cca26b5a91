// Escaping for HTML, XML text and attributes: every string we emit goes through one of these.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text or an attribute value for HTML and XML alike. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}

/**
 * Makes HTML safe to wrap in CDATA: "]]>" would close the section early, and in HTML
 * "]]&gt;" means the same thing.
 */
export function cdataHtml(html: string): string {
  return html.replaceAll(']]>', ']]&gt;');
}

/** Plain text wrapped in CDATA: the only change is a space that keeps "]]>" from closing it. */
export function cdataText(text: string): string {
  return text.replaceAll(']]>', ']] >');
}

/** Serialises a value for a <script type="application/ld+json"> block without letting it close the tag. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
