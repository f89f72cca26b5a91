// Markdown to sanitised HTML, done once at publish time: raw HTML is escaped, links are http(s) only,
// and a body whose HTML would outgrow its limit is refused before it is built.
import { Marked, type Tokens } from 'marked';
import { absolute } from '../model/paths';
import { isSafeUrl } from '../model/schema';
import { escapeHtml } from './escape';

/** The body's HTML would be larger than allowed; `bytes` is a lower bound of its size. */
export class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`renders to at least ${bytes} bytes of HTML`);
  }
}

/** The body cannot be rendered in reasonable time or depth; the message says why, for the newsroom. */
export class BodyUnrenderable extends Error {}

// marked looks for e-mail autolinks by scanning ahead through runs of these characters at every
// delimiter, which is quadratic in a long run ("a_a_a_…"): such runs are capped (a URL of 2048 fits).
const RUN = /[A-Za-z0-9.!#$%&'*+/=?_`{|}~-]{2101,}/;
const MAX_RUN = 2100;

const encoder = new TextEncoder();

function markedFor(siteUrl: string): Marked {
  const safeHref = (href: string): string | null => {
    if (href.startsWith('#')) return href;
    if (/^mailto:[^\s<>"]+$/i.test(href)) return href;
    return isSafeUrl(href) ? absolute(siteUrl, href) : null;
  };
  return new Marked({
    gfm: true,
    async: false,
    // Raw HTML in a body is not HTML at all: without its tokenizers, "<code>" is text and escaped like
    // any other. (Escaping HTML tokens is not enough: after an opening <code>, <pre>, <kbd> or
    // <script> marked treats what follows as raw and passes it through.)
    tokenizer: { html: () => undefined, tag: () => undefined },
    renderer: {
      link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, { href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const url = safeHref(href);
        if (!url) return inner;
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(url)}"${t}>${inner}</a>`;
      },
      image({ href, title, text }: Tokens.Image) {
        const url = isSafeUrl(href) ? absolute(siteUrl, href) : null;
        if (!url) return escapeHtml(text);
        const t = title ? ` title="${escapeHtml(title)}"` : '';
        return `<img src="${escapeHtml(url)}" alt="${escapeHtml(text)}"${t} loading="lazy">`;
      },
    },
  });
}

/**
 * Renders an item body to HTML that is safe to embed in our pages and in feed content. Reference
 * links let a few bytes of Markdown repeat a long URL thousands of times, so the links' share of the
 * output is counted from the tokens first, and a body over `maxBytes` is refused without being built
 * (BodyTooLarge); so is one too deep or too costly to render (BodyUnrenderable).
 */
export function renderMarkdown(markdown: string, siteUrl: string, maxBytes = Infinity): string {
  const run = RUN.exec(markdown);
  if (run) throw new BodyUnrenderable(`has ${run[0].length} characters in a row without a space (at most ${MAX_RUN}); break them up`);
  const marked = markedFor(siteUrl);
  let html: string;
  try {
    const tokens = marked.lexer(markdown);
    let floor = 0;
    marked.walkTokens(tokens, (t) => {
      if (t.type === 'link' || t.type === 'image') floor += t.href.length + (t.title?.length ?? 0);
    });
    if (floor > maxBytes) throw new BodyTooLarge(floor);
    html = marked.parser(tokens).trim();
  } catch (err) {
    // Deep nesting (thousands of "> " or emphasis delimiters) exhausts the stack inside marked.
    if (err instanceof RangeError) throw new BodyUnrenderable('is nested too deeply to render; flatten it');
    throw err;
  }
  const bytes = html.length > maxBytes / 3 ? encoder.encode(html).byteLength : html.length;
  if (bytes > maxBytes) throw new BodyTooLarge(bytes);
  return html;
}
