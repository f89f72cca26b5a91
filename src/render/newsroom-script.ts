// The newsroom page's one script (inline, allowed by its hash): the token form, the range, and fetching the charts.

/**
 * Runs in the browser. The token is read from a password field that has no name (so a form that
 * submits anyway sends nothing), kept in sessionStorage for this tab only, sent as
 * `Authorization: Bearer` to /api/stats/charts and never put in a URL or a cookie.
 */
export const NEWSROOM_SCRIPT = `(() => {
  'use strict';
  const KEY = 'wirefeed-newsroom-token';
  const DAY = 86400000;
  const $ = (id) => document.getElementById(id);
  const login = $('login'), field = $('token'), range = $('range'), from = $('from'), to = $('to');
  const out = $('charts'), status = $('status'), forget = $('forget');
  const store = {
    get() { try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; } },
    set(t) { try { sessionStorage.setItem(KEY, t); } catch {} },
    clear() { try { sessionStorage.removeItem(KEY); } catch {} },
  };
  let token = store.get();
  let asked = 0;
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = Date.now();
  to.value = iso(today);
  from.value = iso(today - 29 * DAY);
  const say = (text) => { status.textContent = text; };
  const show = (signedIn) => {
    login.hidden = signedIn;
    range.hidden = !signedIn;
    if (!signedIn) { out.replaceChildren(); field.focus(); }
  };
  async function load() {
    const mine = ++asked;
    say('Loading…');
    out.setAttribute('aria-busy', 'true');
    const q = new URLSearchParams({ from: from.value, to: to.value });
    let res;
    try {
      res = await fetch('/api/stats/charts?' + q, {
        headers: { Authorization: 'Bearer ' + token, Accept: 'text/html' },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      if (mine === asked) say('The server did not answer; try again.');
      return;
    }
    if (mine !== asked) return;
    out.removeAttribute('aria-busy');
    if (res.status === 401) {
      token = '';
      store.clear();
      show(false);
      say('That token was refused. Enter the newsroom API token.');
      return;
    }
    if (!res.ok) {
      const problem = await res.json().catch(() => ({}));
      say(problem.detail || 'The charts could not be loaded (' + res.status + ').');
      return;
    }
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    out.replaceChildren(...doc.body.childNodes);
    say('');
  }
  login.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = field.value.trim();
    field.value = '';
    if (!t) return say('Enter the newsroom API token.');
    token = t;
    store.set(t);
    show(true);
    load();
  });
  range.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  forget.addEventListener('click', () => {
    token = '';
    store.clear();
    show(false);
    say('The token is forgotten in this tab.');
  });
  if (token) { show(true); load(); } else show(false);
})();
`;
