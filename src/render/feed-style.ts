// The stylesheet RSS and Atom documents name, so a person who opens a feed in a browser reads a page,
// not markup: browsers style XML with CSS (no XSLT, which Chromium is removing), and readers ignore it.

/**
 * CSS for RSS 2.0 and Atom 1.0 documents: the feed's title, what a feed is and how to follow it, the
 * site's address, and each item's title, date and summary. `|name` is an element in no namespace
 * (RSS's own); `a|name` one in Atom's.
 */
export const FEED_CSS = `@namespace a url(http://www.w3.org/2005/Atom);
@namespace media url(http://search.yahoo.com/mrss/);
* { display: none; }
|rss, |channel, |item, a|feed, a|entry { display: block; }
|rss, a|feed { font: 16px/1.55 system-ui, sans-serif; color: #111; background: #fff; max-width: 46rem; margin: 0 auto; padding: 1rem; }
|channel, a|feed { display: flex; flex-direction: column; }
|channel > |title, a|feed > a|title { display: block; order: 1; font-size: 1.8rem; font-weight: 700; margin: .5rem 0 .2rem; }
|channel > |description, a|feed > a|subtitle { display: block; order: 2; color: #444; }
|channel::before, a|feed::before {
  order: 3; display: block; margin: 1rem 0; padding: .8rem 1rem; background: #fff8e1; border: 1px solid #f0d98c; border-radius: 6px;
  content: "This is a web feed. To follow it, copy the address of this page from the address bar into a feed reader such as NetNewsWire, Feedly, Inoreader, Miniflux or newsboat. The items below are what your reader will show; the website has the full stories.";
}
|channel > |link, a|feed > a|link[rel="alternate"] { display: block; order: 4; margin-bottom: 1.5rem; color: #0645ad; }
|channel > |link::before, a|feed > a|link[rel="alternate"]::before { content: "Website: "; color: #555; }
a|feed > a|link[rel="alternate"]::after { content: attr(href); }
|item, a|entry { order: 5; border-top: 1px solid #ddd; padding: .8rem 0; display: flex; flex-direction: column; }
|item > |title, a|entry > a|title { display: block; order: 1; font-size: 1.15rem; font-weight: 600; }
|item > |pubDate, a|entry > a|published { display: block; order: 2; color: #555; font-size: .9rem; }
|item > media|description, a|entry > a|summary { display: block; order: 3; margin-top: .3rem; }
`;
