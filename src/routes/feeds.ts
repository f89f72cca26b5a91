// Feed routes: every scope and archive page in RSS, Atom and JSON Feed, straight from KV.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { absolute } from '../model/paths';
import { serveDocument } from '../http/serve';

const FILE = ':file{feed\\.(?:xml|atom|json)}';
const PAGE = ':page{[1-9][0-9]{0,6}}';
const NAME = '{[a-z0-9]+(?:-[a-z0-9]+)*}';

/** WebSub discovery (W3C WebSub §4) in headers as well as in the document. */
function serveFeed(c: Context<AppEnv>) {
  const path = c.req.path;
  const hub = c.env.HUB_URL;
  if (!hub) return serveDocument(c, path);
  return serveDocument(c, path, { Link: `<${hub}>; rel="hub", <${absolute(c.env.SITE_URL, path)}>; rel="self"` });
}

export const feeds = new Hono<AppEnv>();
for (const scope of ['', '/:kind{videos|articles}', `/tags/:tag${NAME}`, `/authors/:author${NAME}`]) {
  feeds.get(`${scope}/${FILE}`, serveFeed);
  feeds.get(`${scope}/archive/${PAGE}/${FILE}`, serveFeed);
}
