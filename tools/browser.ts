import { accessSync, constants } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's `chromium`, headless, for tests of the HTML report: no browser download, and no way out.
 * Chromium talks to Google's update, sync and account hosts on its own, even headless; every request
 * it makes goes to a loopback proxy of ours that closes each connection at once, so a test never
 * reaches an outside address (and counts how often Chromium tried).
 */
export interface TestBrowser {
  browser: Browser;
  /** Connections the refusing proxy closed: Chromium's own attempts, and any fetch a page tried. */
  refusedConnections(): number;
  close(): Promise<void>;
}

/** Raised when no Chromium is installed: tests fail with how to install it, never skip. */
export class BrowserMissingError extends Error {
  override name = 'BrowserMissingError';
}

/** Where the browser is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new BrowserMissingError(
      `Chromium not found at ${path}: install it with "apt-get install -y chromium" (Debian; .ci/run does) or set CHROMIUM_PATH`,
    );
  }
  return path;
}

async function refusingProxy(): Promise<{ server: Server; port: number; refused: () => number }> {
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    refused += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, port, refused: () => refused };
}

/**
 * Starts headless Chromium with every request routed to a loopback proxy that refuses it.
 *
 * @example
 * const { browser, close } = await launchBrowser();
 * const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
 * await close();
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  const proxy = await refusingProxy();
  try {
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // No bypass list: whatever a page or Chromium itself asks for from the network goes nowhere.
        `--proxy-server=127.0.0.1:${proxy.port}`,
      ],
    });
    return {
      browser,
      refusedConnections: proxy.refused,
      async close() {
        await browser.close();
        await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
      },
    };
  } catch (error) {
    proxy.server.close();
    throw error;
  }
}
