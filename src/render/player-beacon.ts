// The embed player's one script: notes impression, play and quartiles, and sends them as a beacon when the page is hidden.

/**
 * Reads the item and the beacon address from the body's data attributes, so the text (and its CSP
 * hash) is the same on every player page. Nothing runs when the browser asks not to be tracked; no
 * cookie, no storage; each event is sent once per page load. The embedding site is the origin of
 * the page that framed the player ("" when not framed or when the browser withholds the referrer).
 */
export const PLAYER_SCRIPT = `(()=>{const n=navigator,d=document,b=d.body.dataset,v=d.querySelector('video');
if(n.doNotTrack==='1'||n.globalPrivacyControl===true||!n.sendBeacon||!v||!b.beacon)return;
let site='';if(window.parent!==window)try{site=new URL(d.referrer).origin}catch(e){}if(site==='null')site='';
const todo=new Set(),sent=new Set(),note=(e)=>{if(!sent.has(e))todo.add(e)};
if(window.IntersectionObserver)new IntersectionObserver((es)=>{if(es.some((x)=>x.isIntersecting))note('impression')},{threshold:0.5}).observe(v);else note('impression');
v.addEventListener('play',()=>note('play'));
v.addEventListener('timeupdate',()=>{const f=v.currentTime/v.duration;if(f>=0.25)note('q25');if(f>=0.5)note('q50');if(f>=0.75)note('q75')});
v.addEventListener('ended',()=>note('complete'));
const send=()=>{if(!todo.size)return;const events=[...todo];todo.clear();for(const e of events)sent.add(e);
n.sendBeacon(b.beacon,JSON.stringify({item:b.item,events,site}))};
d.addEventListener('visibilitychange',()=>{if(d.visibilityState==='hidden')send()});addEventListener('pagehide',send)})();`;

/** The script's CSP source: test/unit/player-beacon.test.ts checks it is the SHA-256 of the text above. */
export const PLAYER_SCRIPT_HASH = "'sha256-B+VHjc2Pj9kWEIaUkA43MEj6xev+qMqt5MQc8WfTfNU='";
