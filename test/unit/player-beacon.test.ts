// The embed player's script and its CSP hash: the header names exactly the script the page carries.
import { describe, expect, it } from 'vitest';
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
