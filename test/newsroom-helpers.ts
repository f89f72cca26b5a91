// Newsroom test helpers: reading an HTML answer's elements as a browser would (through HTMLRewriter).

/** Every element of an HTML text with its attributes (values decoded as a browser would), in document order. */
export async function elementsOf(html: string): Promise<{ tag: string; attrs: Record<string, string> }[]> {
  const out: { tag: string; attrs: Record<string, string> }[] = [];
  const decode = (s: string) =>
    s.replace(/&(amp|lt|gt|quot);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"' })[e] as string);
  await new HTMLRewriter()
    .on('*', {
      element: (e) => void out.push({ tag: e.tagName, attrs: Object.fromEntries([...e.attributes].map(([k, v]) => [k, decode(v ?? '')])) }),
    })
    .transform(new Response(html))
    .text();
  return out;
}
