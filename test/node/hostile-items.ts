// Items whose every text field is hostile to XML and HTML writers: markup characters, entity-like text,
// CDATA ends, quotes, non-Latin scripts, site-relative and query-string author URLs, a body near the limit.

/**
 * Text every escaping path must carry through exactly. It holds no HTML end tag ("</b>"): the W3C
 * validator warns "should not contain HTML" for any plain text that has one, however it is escaped,
 * so such text cannot be W3C-clean; everything else here can. Nor does it hold a literal "&#x": the
 * validator excuses markup-like text on any line where that appears, which would hide the writer's
 * own escaping.
 */
export const HOSTILE = `Tom & Jerry <b>bold? a<b && c>d "quoted" 'single' ]]> &amp; <![CDATA[x]]> 한국어 العربية Ελληνικά 中文 हिन्दी 😀`;

// About 185,000 characters of Markdown (the limit is 200,000) whose HTML stays under the 400 KiB limit.
function hugeBody(): string {
  const para = `${HOSTILE} — a paragraph with [a link](https://example.com/?a=1&b=2) and \`code <x> & ]]>\`.\n\n`;
  const block = `## Section ${HOSTILE}\n\n- one & two\n- <three> ]]>\n\n${para.repeat(8)}`;
  let body = '';
  while (body.length + block.length < 185_000) body += block;
  return body;
}

const image = { url: '/media/liaison-office.jpg', width: 1280, height: 720, alt: `Poster: ${HOSTILE}` };

/**
 * Oldest first: three items sharing hostile authors, tags and a section, and a huge article filed
 * under none of them (so only the everything, /articles and site-author feeds carry its body).
 */
export function hostileItems(): Record<string, unknown>[] {
  const named = {
    language: 'en',
    section: 'Wörld & <Affairs> ]]>',
    tags: ['북한', 'a&b', '<script>', 'ελληνικά', ']]>'],
    authors: [
      { name: '이민 & <Co> "Ltd" ]]>', url: '/about' },
      { name: 'محمد الأمين', url: 'https://example.com/a?x=1&y=2' },
    ],
  };
  return [
    {
      slug: 'hostile-huge',
      kind: 'article',
      title: `Huge: ${HOSTILE}`,
      summary: `Huge summary: ${HOSTILE}`,
      published: '2026-02-28T09:00:00+09:00',
      body: hugeBody(),
      image,
    },
    {
      ...named,
      slug: 'hostile-article',
      kind: 'article',
      title: `Title: ${HOSTILE}`,
      summary: `Summary: ${HOSTILE}`,
      published: '2026-03-01T09:00:00+09:00',
      body: `Body: ${HOSTILE}\n\n> quoted & <b>`,
      image,
    },
    {
      ...named,
      slug: 'hostile-article-ko',
      kind: 'article',
      language: 'ko',
      title: '북한, 남북공동연락사무소 폭파 & <속보> ]]>',
      summary: '요약: "따옴표" & <꺾쇠> ]]> 끝',
      published: '2026-03-02T09:00:00+09:00',
      body: '본문 & <b>굵게 ]]>\n\n> 인용 "문장"',
    },
    {
      ...named,
      slug: 'hostile-video',
      kind: 'video',
      title: `Video: ${HOSTILE}`,
      summary: `Video summary: ${HOSTILE}`,
      published: '2026-03-03T09:00:00+09:00',
      body: `Video body: ${HOSTILE}`,
      image,
      video: { url: '/media/liaison-office.mp4', type: 'video/mp4', size: 372439, duration: 134, width: 640, height: 360 },
      captions: [{ url: '/media/liaison-office.en.vtt', language: 'en', label: 'English & <CC> ]]>' }],
      transcript: `Transcript: ${HOSTILE}`,
      stats: { views: 3, shares: 1 },
    },
    {
      // Scheduled for the same minute as the video: two entries must not share one atom:updated.
      slug: 'hostile-same-minute',
      kind: 'article',
      title: `Same minute: ${HOSTILE}`,
      summary: 'Released with the video.',
      published: '2026-03-03T09:00:00+09:00',
      body: 'Same minute.',
    },
  ];
}
