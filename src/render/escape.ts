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
 * Text for xml-js (under `feed`), which turns "&amp;" back into "&" before escaping: escaping "&"
 * first makes every string come out as it went in, "&amp;" included.
 */
export function xmlJsText(s: string): string {
  return s.replace(/&/g, '&amp;');
}

// Stand-ins for & < > in plain text while xml-js writes it (it would escape them its own way); the
// schema strips these control characters from every field, so none can come from content.
const AMP = '\u0001';
const LT = '\u0002';
const GT = '\u0003';

/**
 * Plain text for an xml-js text node, written with & < > as hexadecimal character references: the
 * W3C validator reads "&amp;" or "&lt;b" in a plain-text element as HTML, and accepts them this way.
 * The document must go through `resolvePlainText` afterwards.
 */
export function plainText(s: string): string {
  return s.replace(/&/g, AMP).replace(/</g, LT).replace(/>/g, GT);
}

/** Puts the hexadecimal references in place of plainText's stand-ins. */
export function resolvePlainText(xml: string): string {
  return xml.replaceAll(AMP, '&#x26;').replaceAll(LT, '&#x3C;').replaceAll(GT, '&#x3E;');
}

/** Escapes plain text written by hand into XML the same way plainText does through xml-js. */
export const hexEscape = (s: string) => s.replace(/&/g, '&#x26;').replace(/</g, '&#x3C;').replace(/>/g, '&#x3E;');

/** An attribute value for xml-js, which escapes only `"` in attributes. */
export function xmlJsAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

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
