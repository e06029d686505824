// What the real-browser tests share: starting the real binaries (ferry serve, fake-atlassian)
// and Debian's Chromium, and stopping and removing all of it afterwards.
//
// Environment (run-browser.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY,
// FERRY_CHROMIUM (default /usr/bin/chromium).
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { kStartTimeoutMs, start, startFakeAtlassian, tempFolder } from '../support/node/children.mjs';

export { freePort, removeFolders, start, stopChildren, tempFolder } from '../support/node/children.mjs';

export const ferryBinary = process.env.FERRY_BINARY;
export const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
export const chromiumPath = process.env.FERRY_CHROMIUM || '/usr/bin/chromium';
export const kStepTimeoutMs = kStartTimeoutMs;

/** Starts fake-atlassian on a free port with `args` (e.g. ['--sites', '2']); resolves with
 *  its URL. */
export function startFake(args = []) {
    return startFakeAtlassian(fakeBinary, args);
}

/** Starts `ferry serve folder` and resolves once it listens. */
export async function startFerry(folder) {
    await start([ferryBinary, 'serve', folder], /Ferry listening on/);
}

/** integrations.yaml: `jira` on the fake at `fakeUrl`. */
export function integrationsYaml(fakeUrl) {
    return `integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: fake-client-id
    oauth_client_secret: fake-client-secret
    oauth_scopes: [read:jira-work, read:jira-user, offline_access]
    auth:
      authorization_url: ${fakeUrl}/authorize
      token_url: ${fakeUrl}/oauth/token
    requests:
      base_url: ${fakeUrl}/
`;
}

/** Debian's Chromium, headless, with a profile of its own. */
export async function launchBrowser(options = {}) {
    const profile = tempFolder('ferry-chromium-');
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        // Let the browser block popups that no user action opened, as a real one does.
        ignoreDefaultArgs: ['--disable-popup-blocking'],
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: kStepTimeoutMs,
        ...options
    });
    // Tests never reach the internet: anything but loopback (a site's avatar, say) fails at once.
    await context.route((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname),
        (route) => route.abort('blockedbyclient'));
    return context;
}


/**
 * Serves an application's page on a loopback port of its own, as a real application's origin;
 * `asset(path)` may answer other paths with [content type, body] (null: the page).
 * Resolves with [server, url].
 */
export async function serveApp(page, asset = () => null) {
    const server = createServer((req, res) => {
        const answer = asset(new URL(req.url, 'http://app').pathname);
        const [type, body] = answer ?? ['text/html; charset=utf-8', page];
        res.writeHead(200, { 'Content-Type': type });
        res.end(body);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return [server, `http://127.0.0.1:${server.address().port}/`];
}
