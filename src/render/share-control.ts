// The item page's share control: the Web Share API where the browser has it, else copy the link; a plain link without script.
import { html, raw } from 'hono/html';
import { BEACON } from '../model/paths';
import type { ItemRecord } from '../model/schema';
import { itemUrl, siteUrl, type Site } from './document';

/**
 * Turns the link into a button: "Share" opens the system's share sheet (navigator.share), "Copy link"
 * puts the address on the clipboard; a live region says what happened. Each completed use sends one
 * beacon ({item, events: ["share"], source: "share" | "copy"}) unless the browser asks not to be
 * tracked. A cancelled share sheet is not a share.
 */
export const SHARE_SCRIPT = `(()=>{const p=document.querySelector('p.share'),a=p&&p.querySelector('a'),s=p&&p.querySelector('[role=status]'),n=navigator;
if(!a||!s)return;const native=typeof n.share==='function';if(!native&&!(n.clipboard&&n.clipboard.writeText))return;
const b=document.createElement('button');b.type='button';b.textContent=native?'Share':'Copy link';a.replaceWith(b);
b.addEventListener('click',async()=>{let source;try{if(native){await n.share({title:document.title,url:a.href});source='share';s.textContent='Shared.'}
else{await n.clipboard.writeText(a.href);source='copy';s.textContent='Link copied.'}}catch(e){s.textContent=e&&e.name==='AbortError'?'':'Could not share; the link is '+a.href;return}
if(n.doNotTrack!=='1'&&n.globalPrivacyControl!==true&&n.sendBeacon)n.sendBeacon(p.dataset.beacon,JSON.stringify({item:p.dataset.item,events:['share'],source}))})})();`;

/** The control for one item page: works as a link without script, as a button with it. */
export function shareControl(site: Site, item: ItemRecord) {
  return html`<p class="share" data-item="${item.slug}" data-beacon="${siteUrl(site, BEACON)}"><a href="${itemUrl(site, item)}" rel="bookmark">Link to this story</a> <span role="status" aria-live="polite"></span></p>
<script>${raw(SHARE_SCRIPT)}</script>`;
}
