// The embed player's script and its CSP hash: the header names exactly the script the page carries.
import { describe, expect, it } from 'vitest';
import { get, publishContent } from '../helpers';
import { PLAYER_SCRIPT, PLAYER_SCRIPT_HASH } from '../../src/render/player-beacon';
import { SHARE_SCRIPT } from '../../src/render/share-control';

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

describe('the player beacon script', () => {
  it('its CSP source is the SHA-256 of its text', async () => {
    expect(PLAYER_SCRIPT_HASH).toBe(`'sha256-${await sha256(PLAYER_SCRIPT)}'`);
  });

  it.each([
    ['player', PLAYER_SCRIPT],
    ['share control', SHARE_SCRIPT],
  ])('the %s script keeps no cookie or storage, ends no script element early, and honours DNT and GPC', (_name, script) => {
    expect(script).not.toMatch(/cookie|localStorage|sessionStorage|indexedDB|<\/script/i);
    expect(script).toContain('doNotTrack');
    expect(script).toContain('globalPrivacyControl');
    expect(script).toContain('sendBeacon');
  });
});

describe('the served player page', () => {
  it('its Content-Security-Policy allows, by hash, exactly the inline scripts the page carries', async () => {
    await publishContent();
    const res = await get('/embed/n-korea-blows-up-inter-korean-liaison-office');
    expect(res.status).toBe(200);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const allowed = /script-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
    const scripts = [...(await res.text()).matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    expect(allowed.sort()).toEqual((await Promise.all(scripts.map(async (text) => `'sha256-${await sha256(text)}'`))).sort());
  });
});
