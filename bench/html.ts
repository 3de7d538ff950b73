/**
 * The HTML report of the generated account (SPEC §14): its size against the JSON report, and how soon
 * its first screen is up in a real browser (Debian's Chromium, headless, every outside request sent to
 * a refusing loopback proxy).
 *
 * "First screen" is the later of the first contentful paint and the page's own `report-ready` mark
 * (its script has run: the fix plan's first rows are shown and the filters work), from the start of
 * the navigation, for a `file://` page in a fresh tab; the largest contentful paint and the end of
 * parsing (`DOMContentLoaded`, when the embedded data has been read too) are noted beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditReport } from '../src/model/report.js';
import { renderHtml } from '../src/report/render-html.js';
import { launchBrowser } from '../tools/browser.js';

export interface HtmlLoad {
  firstScreenMs: number;
  firstContentfulPaintMs: number;
  largestContentfulPaintMs: number;
  readyMs: number;
  domContentLoadedMs: number;
}

export interface HtmlResult {
  htmlBytes: number;
  /** The archived JSON copy (compact), which the HTML is archived beside. */
  compactJsonBytes: number;
  /** What `--format json` prints (indented). */
  printedJsonBytes: number;
  renderMs: number;
  /** One load per sample, each in a fresh tab after an unmeasured first load. */
  loads: HtmlLoad[];
  /** Why the browser part did not run, when it did not. */
  skipped?: string;
}

const MEASURE_IN_PAGE = `new Promise((resolve) => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('report-ready')[0];
  let largest = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) largest = Math.max(largest, entry.startTime);
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  setTimeout(() => resolve({
    firstContentfulPaintMs: paint ? paint.startTime : -1,
    largestContentfulPaintMs: largest,
    readyMs: ready ? ready.startTime : -1,
    domContentLoadedMs: navigation ? navigation.domContentLoadedEventEnd : -1,
  }), 50);
})`;

/**
 * Renders the JSON report at `reportPath` as HTML and loads it `loads` times in Chromium.
 *
 * @example
 * const html = await benchHtml(directory, join(directory, 'memory-report.json'), 5);
 */
export async function benchHtml(directory: string, reportPath: string, loads: number): Promise<HtmlResult> {
  const printed = readFileSync(reportPath, 'utf8');
  const report = JSON.parse(printed) as AuditReport;
  const compactJsonBytes = Buffer.byteLength(JSON.stringify(report), 'utf8');
  const startedAt = performance.now();
  const html = renderHtml(report);
  const renderMs = performance.now() - startedAt;
  const htmlPath = join(directory, 'report.html');
  writeFileSync(htmlPath, html);
  const result: HtmlResult = {
    htmlBytes: Buffer.byteLength(html, 'utf8'),
    compactJsonBytes,
    printedJsonBytes: Buffer.byteLength(printed, 'utf8'),
    renderMs,
    loads: [],
  };
  let chromium: Awaited<ReturnType<typeof launchBrowser>>;
  try {
    chromium = await launchBrowser();
  } catch (error) {
    return { ...result, skipped: (error as Error).message };
  }
  try {
    const url = pathToFileURL(htmlPath).href;
    for (let load = 0; load <= loads; load += 1) {
      const page = await chromium.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('html[data-ready="1"]');
      const measured = (await page.evaluate(MEASURE_IN_PAGE)) as Omit<HtmlLoad, 'firstScreenMs'>;
      await page.close();
      // The first load pays for starting the renderer process: not what a reader waits for.
      if (load === 0) continue;
      result.loads.push({
        ...measured,
        firstScreenMs: Math.max(measured.firstContentfulPaintMs, measured.readyMs),
      });
    }
  } finally {
    await chromium.close();
  }
  return result;
}
