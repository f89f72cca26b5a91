// RSS and Atom as xml-js element trees: one way to build elements, lay them out and write them.
import { js2xml, type Element } from 'xml-js';
import { escapeHtml, finalXml } from './escape';

/** An element, text or CDATA node; `plain` marks an element whose text is plain text (see serialise). */
export interface XmlNode extends Element {
  elements?: XmlNode[];
  plain?: true;
}

export type Attrs = Record<string, string | number | undefined>;

const INDENT = '    ';

/** Attribute values escaped with XML's predefined entities (xml-js itself escapes only `"`); undefined ones are left out. */
function attributes(a: Attrs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out[k] = escapeHtml(String(v));
  return out;
}

/** An element with attributes and child elements (none makes it empty: `<x/>`). */
export const el = (name: string, a: Attrs = {}, children: XmlNode[] = []): XmlNode => ({
  type: 'element',
  name,
  attributes: attributes(a),
  elements: children,
});

// xml-js reads "&amp;" in a text node as an "&" escaped already and writes it once; spelling every
// "&" that way first makes it escape exactly the text it is given.
const textNode = (s: string): XmlNode => ({ type: 'text', text: s.replaceAll('&', '&amp;') });

/** An element holding a URL, an id or a date: & < > written as XML's predefined entities. */
export const literal = (name: string, value: string | number, a: Attrs = {}): XmlNode => el(name, a, [textNode(String(value))]);

/**
 * An element holding plain text, written with & < > as hexadecimal character references: the W3C
 * validator reads "&amp;" or "&lt;b" in a plain-text element as HTML, and accepts them this way.
 */
export const plain = (name: string, value: string, a: Attrs = {}): XmlNode => ({ ...literal(name, value, a), plain: true });

/** An element holding markup as one CDATA section (each "]]>" inside is split when written). */
export const cdata = (name: string, value: string, a: Attrs = {}): XmlNode => el(name, a, [{ type: 'cdata', cdata: value }]);

// Children written on their parent's opening line rather than each on its own indented line.
const onOpeningLine = new WeakSet<XmlNode>();

/** Marks nodes to be written straight after their parent's start tag, before its indented children. */
export function leading(nodes: XmlNode[]): XmlNode[] {
  for (const n of nodes) onOpeningLine.add(n);
  return nodes;
}

const whitespace = (depth: number): XmlNode => ({ type: 'text', text: `\n${INDENT.repeat(depth)}` });

/**
 * Indents the tree as feed readers have always received it: an element holding elements puts each
 * on its own line, four spaces deeper, and its end tag on a line of its own; text stays inline.
 */
function layout(node: XmlNode, depth: number): XmlNode {
  const kids = node.elements;
  if (!kids?.length || kids.some((k) => k.type !== 'element')) return node;
  const out: XmlNode[] = [];
  for (const k of kids) {
    if (!onOpeningLine.has(k)) out.push(whitespace(depth + 1));
    out.push(layout(k, depth + 1));
  }
  if (out.length > kids.length) out.push(whitespace(depth));
  return { ...node, elements: out };
}

const HEX: Record<string, string> = { '&amp;': '&#x26;', '&lt;': '&#x3C;', '&gt;': '&#x3E;' };

/**
 * Writes a document: the XML declaration, a CSS stylesheet for people who open the feed in a browser,
 * and the root element laid out. xml-js writes every node; its hooks give plain-text elements their
 * hexadecimal references and split every "]]>" in a CDATA section (it would split only the first).
 */
export function serialise(root: XmlNode, stylesheet: string): string {
  const doc: XmlNode = {
    declaration: { attributes: { version: '1.0', encoding: 'utf-8' } },
    elements: [
      whitespace(0),
      { type: 'instruction', name: 'xml-stylesheet', attributes: attributes({ type: 'text/css', href: stylesheet }) },
      whitespace(0),
      layout(root, 0),
    ],
  };
  const xml = js2xml(doc, {
    spaces: 0,
    // Called for each text node with the element it belongs to; whitespace between elements holds no & < >.
    textFn: (escaped: string, _name: string, parent: XmlNode) =>
      parent?.plain ? escaped.replace(/&(amp|lt|gt);/g, (e) => HEX[e] as string) : escaped,
    cdataFn: (s: string) => s.replaceAll(']]>', ']]]]><![CDATA[>'),
  } as Parameters<typeof js2xml>[1]);
  return finalXml(xml);
}
