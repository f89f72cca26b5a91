// The newsroom page's shell: a token form, a date range and a place for the charts; it holds no data.
import { NEWSROOM_SCRIPT } from './newsroom-script';

/** Where the page is served. */
export const NEWSROOM_PATH = '/newsroom';

/** The page's one stylesheet (inline, allowed by its hash): layout, and the charts' palette by class. */
export const NEWSROOM_CSS = `
body { font: 16px/1.5 system-ui, sans-serif; color: #111; background: #fff; max-width: 52rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .3rem; }
form { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin: 1rem 0; }
label { display: flex; flex-direction: column; font-size: .9rem; color: #333; }
input, button { font: inherit; padding: .3rem .5rem; }
[hidden] { display: none !important; }
.note, .about, .more, .range { color: #555; font-size: .9rem; margin: .2rem 0; }
#status { min-height: 1.5em; color: #8a1c1c; }
.plot { display: block; width: 100%; max-width: 640px; height: auto; font: 12px system-ui, sans-serif; }
.plot .key, .plot .value, .plot .tick { fill: #333; }
.plot .grid { stroke: #ddd; }
.line polyline { fill: none; stroke-width: 2; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .9rem; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .3em; border-radius: 2px; vertical-align: -.05em; }
details { margin: .4rem 0 1rem; font-size: .9rem; }
table { border-collapse: collapse; }
th, td { padding: .15rem .6rem; border-bottom: 1px solid #eee; text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
.m0, .swatch.m0 { fill: #1f6feb; background: #1f6feb; }
.m1, .swatch.m1 { fill: #e0823d; background: #e0823d; }
.s0 { stroke: #1f6feb; fill: #1f6feb; } .swatch.s0 { background: #1f6feb; }
.s1 { stroke: #e0823d; fill: #e0823d; } .swatch.s1 { background: #e0823d; }
.s2 { stroke: #2da44e; fill: #2da44e; } .swatch.s2 { background: #2da44e; }
.s3 { stroke: #a371f7; fill: #a371f7; } .swatch.s3 { background: #a371f7; }
.s4 { stroke: #cf222e; fill: #cf222e; } .swatch.s4 { background: #cf222e; }
.s5 { stroke: #0e8a98; fill: #0e8a98; } .swatch.s5 { background: #0e8a98; }
.s6 { stroke: #8c6d1f; fill: #8c6d1f; } .swatch.s6 { background: #8c6d1f; }
.s7 { stroke: #57606a; fill: #57606a; } .swatch.s7 { background: #57606a; }
`;

/**
 * The shell. The password field has no name, so nothing is ever submitted with it, and CSP's
 * form-action 'none' stops a submission anyway; the script sends the token in a header only.
 */
export const NEWSROOM_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>Newsroom: audience</title>
<style>${NEWSROOM_CSS}</style>
</head>
<body>
<header><h1>Audience</h1><p class="note">What wirefeed counted, by UTC day: subscribers, views, plays, downloads and partner deliveries.</p></header>
<form id="login" hidden>
<label>Newsroom API token<input id="token" type="password" autocomplete="off" spellcheck="false" required></label>
<button type="submit">Show the charts</button>
<p class="note">The token is sent only in a request header. It is kept in this tab’s session storage until you close the tab or choose “Forget the token”; never in a cookie or an address.</p>
</form>
<form id="range" hidden>
<label>From<input id="from" type="date" required></label>
<label>To<input id="to" type="date" required></label>
<button type="submit">Show</button>
<button type="button" id="forget">Forget the token</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<main id="charts"></main>
<noscript><p>This page needs JavaScript: it asks for the charts with the token in a request header.</p></noscript>
<script>${NEWSROOM_SCRIPT}</script>
</body>
</html>
`;
