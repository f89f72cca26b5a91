// Debian's Chromium for the browser tests, started the same way by each (never a downloaded browser).
import { chromium, type Browser } from 'playwright-core';

/** Launches Chromium headless without its background traffic; `extraArgs` add switches a test needs. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
