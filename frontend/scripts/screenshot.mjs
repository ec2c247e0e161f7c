// @ts-check
// Screenshot the built console with Debian's chromium (no browser download).
//
//   python3 -m http.server 5199 --bind 127.0.0.1 -d dist &   # or any static server
//   node scripts/screenshot.mjs [baseUrl] [outDir]
//
// A plain static server has no SPA fallback, so only `/` is opened directly and
// other pages are reached by clicking the sidebar.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const baseUrl = process.argv[2] ?? 'http://127.0.0.1:5199/';
const outDir = process.argv[3] ?? 'screenshots';
const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

await mkdir(outDir, { recursive: true });
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (msg) => console.log(`[browser ${msg.type()}] ${msg.text()}`));
  page.on('pageerror', (err) => console.log(`[page error] ${err.message}`));

  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.screenshot({ path: join(outDir, 'dashboard.png') });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inference' }).click();
  await page.getByRole('heading', { level: 1, name: 'Inference' }).waitFor();
  await page.mouse.move(900, 700);
  await page.waitForTimeout(300); // let the nav colour transition finish
  await page.screenshot({ path: join(outDir, 'inference.png') });

  // The connected state, with /api/v1/config answered by the browser (visual check only).
  await page.route('**/api/v1/config', (route) =>
    route.fulfill({ json: { version: '0.0.0-screenshot', edition: 'enterprise' } }),
  );
  await page.goto(baseUrl, { waitUntil: 'networkidle' });
  await page.getByText('Connected').waitFor();
  await page.screenshot({ path: join(outDir, 'dashboard-connected.png') });

  console.log(`screenshots written to ${outDir}/ (title: ${await page.title()})`);
} finally {
  await browser.close();
}
