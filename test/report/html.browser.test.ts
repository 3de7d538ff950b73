import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { planRoles } from '../../src/report/fix-plan.js';
import { renderHtml } from '../../src/report/render-html.js';
import { launchBrowser, type TestBrowser } from '../../tools/browser.js';
import { generatedAccount } from './large-report.js';
import { emptyReport, failedReport, roleArn, sampleReportWithHistory } from './sample-report.js';

/** A failed run that also could not read 150 roles: more errors than the page writes at first. */
function manyErrors(report: AuditReport): AuditReport {
  const roles = Array.from({ length: 150 }, (_, index) => ({
    scope: 'role' as const,
    arn: roleArn(`unread-${index}`),
    code: 'AccessDenied',
    message: 'iam:GetRole denied',
  }));
  return {
    ...report,
    errors: [...report.errors, ...roles],
    summary: { ...report.summary, errors: report.errors.length + 150 },
  };
}

/** The screenshot the README shows, rewritten by every run of this file. */
const README_SCREENSHOT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let chromium: TestBrowser;
let scratch: string;

beforeAll(async () => {
  chromium = await launchBrowser();
  scratch = mkdtempSync(join(tmpdir(), 'lambda-role-auditor-html-'));
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** What a page did besides showing the report: every request, console error, uncaught error, dialog. */
interface Opened {
  page: Page;
  url: string;
  requests: string[];
  problems: string[];
}

/** Writes the report's page to a file and opens it from `file://`, watching what it does. */
async function open(report: AuditReport, viewport = DESKTOP, name = 'report'): Promise<Opened> {
  const path = join(scratch, `${name}-${Math.random().toString(36).slice(2)}.html`);
  writeFileSync(path, renderHtml(report));
  const url = pathToFileURL(path).href;
  const page = await chromium.browser.newPage({ viewport });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready="1"]');
  return { page, url, requests, problems };
}

// Code run in the page is written as strings: this project's TypeScript has no DOM types.

/** The role names of the visible rows of the fix plan. */
function visibleRoles(page: Page): Promise<string[]> {
  return page.$$eval('#roles > li:not([hidden]) .name', (names) =>
    names.map((name) => name.textContent ?? ''),
  );
}

/** Asserts that the page loaded nothing but itself and complained about nothing. */
function expectQuiet(opened: Opened): void {
  expect(opened.problems).toEqual([]);
  expect(opened.requests).toEqual([opened.url]);
}

describe('HTML report in Chromium', () => {
  describe('a sample account compared with its last run', () => {
    const report = sampleReportWithHistory();
    const ranked = planRoles(report).map((role) => role.roleName);

    it('shows the fix plan first at desktop width, loads nothing and logs no error', async () => {
      // Prepare
      const opened = await open(report, DESKTOP);
      const { page } = opened;

      // Act
      await page.click('#roles > li:first-child .sum');
      await page.waitForSelector('#roles > li:first-child .body .finding');
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      const screenshot = await page.screenshot({ path: README_SCREENSHOT, fullPage: true });
      const layout = (await page.evaluate(`({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        planTop: document.getElementById('plan').getBoundingClientRect().top,
      })`)) as { overflow: number; planTop: number };

      // Assess
      expect(await visibleRoles(page)).toEqual(ranked);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.planTop).toBeLessThan(DESKTOP.height / 2);
      expect(screenshot.readUInt32BE(16)).toBe(DESKTOP.width);
      expectQuiet(opened);
      await page.close();
    });

    it('fits a phone: no sideways scrolling, the first role on the first screen', async () => {
      // Prepare
      const opened = await open(report, PHONE);
      const { page } = opened;

      // Act
      const screenshot = await page.screenshot({ path: join(scratch, 'phone.png') });
      const layout = (await page.evaluate(`({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        firstRoleBottom: document.querySelector('#roles > li').getBoundingClientRect().bottom,
        filtersWidth: document.getElementById('filters').getBoundingClientRect().width,
      })`)) as { overflow: number; firstRoleBottom: number; filtersWidth: number };

      // Assess
      expect(screenshot.readUInt32BE(16)).toBe(PHONE.width);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.filtersWidth).toBeLessThanOrEqual(PHONE.width);
      expect(layout.firstRoleBottom).toBeLessThan(PHONE.height * 1.5);
      expectQuiet(opened);
      await page.close();
    });

    it.each<[string, (page: Page) => Promise<unknown>, string[]]>([
      [
        'severity: critical only',
        async (page) => {
          for (const severity of ['high', 'medium', 'low', 'info'])
            await page.uncheck(`input[name=sev][value=${severity}]`);
        },
        ['orders-api-role'],
      ],
      [
        'rule: logging-missing',
        (page) => page.selectOption('select[name=rule]', 'logging-missing'),
        ['billing-role'],
      ],
      [
        'text: a function name',
        (page) => page.fill('input[name=q]', 'THUMBNAIL-worker'),
        ['image-resizer-role'],
      ],
      [
        'text: an environment variable name',
        (page) => page.fill('input[name=q]', 'stripe_api'),
        ['orders-api-role'],
      ],
      ['new only', (page) => page.check('input[name=onlyNew]'), ['orders-api-role', 'billing-role']],
      [
        'severity and rule together: a high finding of inline-policy',
        async (page) => {
          await page.selectOption('select[name=rule]', 'inline-policy');
          for (const severity of ['critical', 'medium', 'low', 'info'])
            await page.uncheck(`input[name=sev][value=${severity}]`);
        },
        [],
      ],
    ])('filters the fix plan by %s', async (_name, act, expected) => {
      // Prepare
      const opened = await open(report);
      const { page } = opened;

      // Act
      await act(page);

      // Assess
      expect(await visibleRoles(page)).toEqual(expected);
      expect(await page.isVisible('#none')).toBe(expected.length === 0);
      expect(await page.textContent('#shown')).toContain(`of ${expected.length} matching`);
      await page.click('button[type=reset]');
      await page.waitForFunction(
        `document.querySelectorAll('#roles > li:not([hidden])').length === ${ranked.length}`,
      );
      expect(await visibleRoles(page)).toEqual(ranked);
      expectQuiet(opened);
      await page.close();
    });

    it('keeps the filters in the address, so a reload shows the same view', async () => {
      // Prepare
      const opened = await open(report);
      const { page } = opened;
      await page.selectOption('select[name=rule]', 'trust-too-broad');
      await page.fill('input[name=q]', 'report');

      // Act
      await page.reload();
      await page.waitForSelector('html[data-ready="1"]');

      // Assess
      expect(new URL(page.url()).hash).toBe('#rule=trust-too-broad&q=report');
      expect(await page.inputValue('select[name=rule]')).toBe('trust-too-broad');
      expect(await visibleRoles(page)).toEqual(['report-builder-role']);
      expect(opened.problems).toEqual([]);
      expect(new Set(opened.requests.map((url) => url.replace(/#.*$/, '')))).toEqual(new Set([opened.url]));
      await page.close();
    });

    it('filters by rule from the chart', async () => {
      // Prepare
      const opened = await open(report);
      const { page } = opened;

      // Act
      await page.click('#chart [data-rule="privilege-escalation"]');

      // Assess
      expect(await page.inputValue('select[name=rule]')).toBe('privilege-escalation');
      expect(await visibleRoles(page)).toEqual(['deploy-helper-role']);
      expectQuiet(opened);
      await page.close();
    });

    it('unfolds a role into its findings, evidence, fix and functions, and folds it again', async () => {
      // Prepare
      const opened = await open(report);
      const { page } = opened;
      const row = page.locator('#roles > li').nth(2);

      // Act
      await row.locator('.sum').click();
      const body = row.locator('.body');
      const text = (await body.textContent()) ?? '';
      await row.locator('.sum').press('Enter');

      // Assess
      expect(text).toContain('Fix first: Attach AWSLambdaBasicExecutionRole');
      expect(text).toContain('logging-missing');
      expect(text).toContain('Function cannot write its logs (2 functions)');
      expect(text).toContain('billing-api');
      expect(text).toContain('Functions running as this role (4)');
      expect(await body.isVisible()).toBe(false);
      expect(await row.locator('.sum').getAttribute('aria-expanded')).toBe('false');
      expectQuiet(opened);
      await page.close();
    });

    it('unfolds the proposed policy of a role that has one', async () => {
      // Prepare
      const withProposal = sampleReportWithHistory();
      withProposal.proposals = [
        {
          roleArn: roleArn('orders-api-role'),
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['dynamodb:GetItem'],
                Resource: 'arn:aws:dynamodb:*:*:table/orders',
              },
            ],
          },
          removed: { services: ['iam', 's3'], actions: [] },
          dataAsOf: '2026-11-27T03:00:00Z',
          days: 90,
        },
      ];
      const opened = await open(withProposal);
      const { page } = opened;

      // Act
      await page.click('#roles > li:first-child .sum');
      await page.click('#roles > li:first-child details:has(pre) > summary');
      const policy = JSON.parse((await page.textContent('#roles > li:first-child pre')) ?? '');

      // Assess
      expect(policy).toEqual(withProposal.proposals?.[0]?.policy);
      expect(await page.isVisible('#roles > li:first-child pre')).toBe(true);
      expect(await page.textContent('#roles > li:first-child')).toContain('Removes services: iam, s3');
      expect(await page.$$('#roles > li:nth-child(2) pre')).toEqual([]);
      expectQuiet(opened);
      await page.close();
    });

    it('keeps errors, muted findings and what was fixed apart from the fix plan', async () => {
      // Prepare
      const opened = await open(report);
      const { page } = opened;

      // Act
      const muted = (await page.textContent('#muted')) ?? '';
      const errors = (await page.textContent('#errors')) ?? '';
      const fixed = (await page.textContent('#fixed')) ?? '';

      // Assess
      expect(muted).toContain('Image pipeline workers share one role by design');
      expect(errors).toContain('MalformedPolicyDocument');
      expect(fixed).toContain('payments-webhook');
      expect(await visibleRoles(page)).not.toContain('image-resizer-role-muted');
      expectQuiet(opened);
      await page.close();
    });
  });

  it('shows hostile names as text: no markup, no script, no request', async () => {
    // Prepare
    const report = sampleReportWithHistory();
    const hostile = roleArn('x<img src=https://example.com/x onerror=alert(1)>');
    const admin = report.findings.find((finding) => finding.ruleId === 'admin-access')!;
    for (const finding of report.findings) if (finding.roleArn === admin.roleArn) finding.roleArn = hostile;
    report.roles[0]!.roleArn = hostile;
    admin.message = '</script><script>alert(2)</script><img src=x onerror=alert(3)>';
    admin.evidence = [{ policy: '<iframe src=https://example.com>', actions: ['<b>s3:*</b>'] }];

    // Act
    const opened = await open(report);
    const { page } = opened;
    await page.click('#roles > li:first-child .sum');
    const text = (await page.textContent('#roles > li:first-child')) ?? '';

    // Assess
    expect(text).toContain('x<img src=https://example.com/x onerror=alert(1)>');
    expect(text).toContain('</script><script>alert(2)</script>');
    expect(text).toContain('<iframe src=https://example.com>');
    expect(await page.$$eval('img, iframe', (elements) => elements.length)).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.$$eval('code', (codes) => codes.map((code) => code.textContent))).toContain(
      '<b>s3:*</b>',
    );
    expectQuiet(opened);
    await page.close();
  });

  it.each<[string, AuditReport]>([
    ['a complete run with nothing to fix', emptyReport()],
    ['a failed run with many errors', manyErrors(failedReport())],
  ])('shows %s without filters, and every error on request', async (_name, report) => {
    // Act
    const opened = await open(report, PHONE);
    const { page } = opened;
    const filtersShown = await page.isVisible('#filters');
    const before = await page.locator('#errors-list tr').count();
    if (before > 0) await page.click('button[data-rest="errors"]');

    // Assess
    expect(filtersShown).toBe(false);
    expect(await page.locator('#roles > li').count()).toBe(0);
    expect(await page.locator('#errors-list tr').count()).toBe(report.errors.length);
    expectQuiet(opened);
    await page.close();
  });

  describe('a large account', () => {
    const { report } = generatedAccount(3_000);
    const plan = planRoles(report);

    it('shows one page of roles, more on request, and filters across all of them', async () => {
      // Prepare
      const opened = await open(report, DESKTOP, 'large');
      const { page } = opened;

      // Act
      const first = await visibleRoles(page);
      await page.click('#more');
      const afterMore = (await visibleRoles(page)).length;
      await page.click('#all');
      const all = (await visibleRoles(page)).length;
      await page.fill('input[name=q]', plan.at(-1)!.functionNames[0]!);
      const found = await visibleRoles(page);
      await page.fill('input[name=q]', '');
      for (const severity of ['high', 'medium', 'low', 'info'])
        await page.uncheck(`input[name=sev][value=${severity}]`);
      const critical = await page.textContent('#shown');

      // Assess
      expect(first).toEqual(plan.slice(0, 50).map((role) => role.roleName));
      expect(afterMore).toBe(250);
      expect(all).toBe(plan.length);
      expect(found).toEqual([plan.at(-1)!.roleName]);
      const criticalRoles = plan.filter((role) => role.severity === 'critical').length;
      expect(critical).toBe(
        `Showing 50 of ${criticalRoles} matching (${plan.length.toLocaleString('en-US')} roles to fix)`,
      );
      expectQuiet(opened);
      await page.close();
    });
  });
});
