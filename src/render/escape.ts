// Escaping for HTML, XML text and attributes: every string we emit goes through one of these.
import { stripXmlForbidden } from '../model/schema';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Escapes text or a double-quoted attribute value for HTML and XML alike, with XML's predefined
 * entities only, so every XML parser reads back exactly what was written.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ENTITIES[ch] as string);
}

/**
 * Plain text written by hand into XML with & < > as hexadecimal character references, as the W3C
 * validator wants them in plain-text elements (the element trees of xml-tree.ts do the same per node).
 */
export const hexEscape = (s: string) => s.replace(/&/g, '&#x26;').replace(/</g, '&#x3C;').replace(/>/g, '&#x3E;');

/** Serialises a value for a <script type="application/ld+json"> block without letting it close the tag. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The last step of every XML and HTML document: whatever a field held, no character XML 1.0 forbids
 * leaves the writer (the schema already strips them; URLs and ids are checked, not stripped).
 */
export function finalXml(doc: string): string {
  return stripXmlForbidden(doc);
}
