// Markdown to sanitised HTML, done once at publish time: raw HTML is escaped, links are http(s) only.
import { Marked, type Tokens } from 'marked';
import { absolute } from '../model/paths';
import { isSafeUrl } from '../model/schema';
import { escapeHtml } from './escape';

/** Renders an item body to HTML that is safe to embed in our pages and in feed content. */
export function renderMarkdown(markdown: string, siteUrl: string): string {
  const safeHref = (href: string): string | null => {
    if (href.startsWith('#')) return href;
    if (/^mailto:[^\s<>"]+$/i.test(href)) return href;
    return isSafeUrl(href) ? absolute(siteUrl, href) : null;
  };
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      // Raw HTML in a body is shown as text, never interpreted: nothing a writer types can script a reader.
      html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
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
  return (marked.parse(markdown) as string).trim();
}
