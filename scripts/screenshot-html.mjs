#!/usr/bin/env node
/**
 * node scripts/screenshot-html.mjs page.html out.png [WIDTHxHEIGHT]
 *
 * Screenshots a counterexample page with plain headless Chromium (no npm
 * dependency): a fresh profile, no network services, then checks that the
 * PNG was really written (Chromium exits 0 on many failures).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [page, out, size = '1400,1000'] = process.argv.slice(2);
if (!page || !out) {
  console.error('usage: node scripts/screenshot-html.mjs page.html out.png [width,height]');
  process.exit(2);
}
if (!existsSync(page)) {
  console.error(`no such page: ${page}`);
  process.exit(2);
}

const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const browser = candidates.find((c) => c && existsSync(c));
if (!browser) {
  console.error('no Chromium found (apt-get install -y chromium, or set CHROMIUM=/path/to/browser)');
  process.exit(3);
}

const target = resolve(out);
// A stale PNG from an earlier run must not pass for this one.
if (existsSync(target)) unlinkSync(target);
const profile = mkdtempSync(join(tmpdir(), 'tlbcheck-chromium-'));
try {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    `--screenshot=${target}`,
    `--window-size=${size.replace('x', ',')}`,
    pathToFileURL(resolve(page)).href,
  ];
  const r = spawnSync(browser, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) console.error(`${browser}: ${r.error.message}`);
  if (!existsSync(target) || statSync(target).size === 0) {
    // Chromium's stderr is mostly D-Bus noise in containers; keep the rest.
    const why = (r.stderr ?? '').split('\n').filter((l) => l.trim() && !l.includes('dbus/'));
    if (why.length) console.error(why.join('\n'));
    console.error(`screenshot was not written: ${target}`);
    process.exit(1);
  }
  console.log(`wrote ${target} (${statSync(target).size} bytes)`);
} finally {
  rmSync(profile, { recursive: true, force: true });
}
