// The OAuth connect flow in a real browser: Debian's Chromium (headless, driven by
// playwright-core) opens a test page on its own origin, which loads Ferry's frontend SDK
// from Ferry and calls ferry.auth() on a click. The popup goes through Ferry's
// /oauth/connect, fake-atlassian's consent and Ferry's callback page; the page shows the
// outcome the SDK reported.
//
// Environment (run-browser.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY,
// FERRY_CHROMIUM (default /usr/bin/chromium).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    fakeBinary, ferryBinary, freePort, integrationsYaml, kStepTimeoutMs, launchBrowser, removeFolders, serveApp,
    startFake, startFerry, stopChildren, tempFolder
} from './harness.mjs';
import { start } from '../support/node/children.mjs';

const publicKey = 'browser-public-key-0123456789abcdef';
const secretKey = 'browser-secret-key-0123456789abcdef';
const globex = '8f6e2c4a-93b1-4d7e-a5c2-0b9d3e7f1a64';
const fakeOAuth1Script = join(dirname(fileURLToPath(import.meta.url)), '../../tools/fake-oauth1/server.mjs');

/** `boards`: an OAuth 1.0a provider (X's blueprint) played by tools/fake-oauth1 at `oauth1Url`. */
function boardsYaml(oauth1Url) {
    return '  boards:\n    extends_blueprint: twitter:v0\n' +
        '    oauth_client_id: browser-consumer\n    oauth_client_secret: browser-consumer-secret\n' +
        `    auth:\n      request_url: ${oauth1Url}/oauth/request_token\n` +
        `      authorization_url: ${oauth1Url}/oauth/authorize\n` +
        `      token_url: ${oauth1Url}/oauth/access_token\n` +
        `    requests:\n      base_url: ${oauth1Url}/\n`;
}

/** The test page, served from its own origin like a real application's. `websocketUrl`: where
 *  the SDK opens its websocket (default: the host's). */
function testPage(ferryUrl, websocketUrl = null) {
    return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>App</title>
<script src="${ferryUrl}/sdk/ferry-frontend.js"></script></head>
<body>
<button id="connect">Connect Jira</button>
<p id="result">idle</p>
<script>
  const query = new URLSearchParams(location.search);
  // token=: a connect session instead of the public key; nows=1: a websocket path that does
  // not exist, so only the callback page's postMessage can report the result.
  const ferry = new Ferry(Object.assign({ host: ${JSON.stringify(ferryUrl)} },
      query.get('token') ? { connectSessionToken: query.get('token') } : { publicKey: ${JSON.stringify(publicKey)} },
      query.get('nows') ? { websocketsPath: '/no-websocket-here' } :
          ${JSON.stringify(websocketUrl)} ? { websocketsPath: ${JSON.stringify(websocketUrl)} } : {}));
  function connect() {
    const params = query.get('subdomain') ? { subdomain: query.get('subdomain') } : {};
    return ferry.auth(query.get('integration') || 'jira', query.get('user') || undefined, { params })
      .then((r) => { document.getElementById('result').textContent = 'connected ' + r.integration + ' ' + r.connectionId; })
      .catch((e) => { document.getElementById('result').textContent = 'failed ' + e.type + ': ' + e.message; });
  }
  document.getElementById('connect').addEventListener('click', connect);
  if (query.get('auto')) connect();  // not a user action: the browser may block the popup
</script>
</body></html>`;
}

describe('OAuth connect flow in Chromium through the frontend SDK', { timeout: 10 * kStepTimeoutMs }, () => {
    let fakeUrl;
    let ferryUrl;
    let appUrl;
    let appServer;
    let context;

    async function adminFake(path, body) {
        const response = await fetch(`${fakeUrl}/__admin/${path}`, { method: 'POST', body: JSON.stringify(body) });
        assert.equal(response.status, 200, await response.text());
    }

    async function getConnection(id) {
        const response = await fetch(`${ferryUrl}/connections/${id}?provider_config_key=jira`, {
            headers: { Authorization: `Bearer ${secretKey}` }
        });
        return { status: response.status, body: await response.json() };
    }

    before(async () => {
        assert.ok(ferryBinary && fakeBinary, 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set');
        fakeUrl = await startFake(['--sites', '2']);
        const [, oauth1] = await start([process.execPath, fakeOAuth1Script, '--port', '0',
            '--consumer', 'browser-consumer:browser-consumer-secret'], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
        const oauth1Url = oauth1[1];

        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        const folder = tempFolder('ferry-browser-');
        writeFileSync(join(folder, 'ferry.yaml'),
            `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
            `secret_key: ${secretKey}\npublic_key: ${publicKey}\n`);
        writeFileSync(join(folder, 'integrations.yaml'), integrationsYaml(fakeUrl) + boardsYaml(oauth1Url));
        await startFerry(folder);
        [appServer, appUrl] = await serveApp(testPage(ferryUrl));
        context = await launchBrowser();
    });

    after(async () => {
        await context?.close();
        appServer?.close();
        stopChildren();
        removeFolders();
    });

    /** Opens the app, clicks Connect and returns [page, popup] once the page shows a result. */
    async function clickConnect(query) {
        const page = await context.newPage();
        await page.goto(`${appUrl}?${query}`);
        const popupOpened = page.waitForEvent('popup', { timeout: kStepTimeoutMs });
        await page.click('#connect');
        const popup = await popupOpened;
        await page.waitForFunction(() => document.getElementById('result').textContent !== 'idle', null,
            { timeout: kStepTimeoutMs });
        return [page, popup];
    }

    test('Connect runs the consent in a popup and the page shows success', { timeout: kStepTimeoutMs * 2 }, async () => {
        const [page, popup] = await clickConnect('user=browser-1&subdomain=globex');
        assert.equal(await page.textContent('#result'), 'connected jira browser-1');
        // The callback page closes itself after success.
        if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: kStepTimeoutMs });

        const { status, body } = await getConnection('browser-1');
        assert.equal(status, 200, JSON.stringify(body));
        assert.equal(body.connection_config.cloudId, globex);
        assert.equal(body.connection_config.baseUrl, 'https://globex.atlassian.net');
        await page.close();
    });

    test('an OAuth 1.0a provider connects in the popup the same way', { timeout: kStepTimeoutMs * 2 }, async () => {
        const [page, popup] = await clickConnect('integration=boards&user=browser-oauth1');
        assert.equal(await page.textContent('#result'), 'connected boards browser-oauth1');
        if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: kStepTimeoutMs });
        const response = await fetch(`${ferryUrl}/connections/browser-oauth1?provider_config_key=boards`, {
            headers: { Authorization: `Bearer ${secretKey}` }
        });
        const body = await response.json();
        assert.equal(response.status, 200, JSON.stringify(body));
        assert.equal(body.credentials.type, 'OAUTH1');
        await page.close();
    });

    test('a user whose grant reaches three sites picks the second one in the popup', { timeout: kStepTimeoutMs * 2 }, async () => {
        await adminFake('config', { sites: 3 });
        try {
            const page = await context.newPage();
            await page.goto(`${appUrl}?user=browser-picker`);
            const popupOpened = page.waitForEvent('popup', { timeout: kStepTimeoutMs });
            await page.click('#connect');
            const popup = await popupOpened;
            // Consent, then Ferry's page listing the sites (name, URL, avatar).
            await popup.waitForSelector('#site-2', { timeout: kStepTimeoutMs });
            const buttons = await popup.$$eval('button', (all) => all.map((b) => b.textContent));
            assert.equal(buttons.length, 3, buttons.join(' | '));
            assert.ok(buttons.every((text) => /\.atlassian\.net/.test(text)), buttons.join(' | '));
            assert.equal(await popup.$$eval('img', (all) => all.length), 3);
            const second = await popup.$eval('#site-1', (b) => b.closest('form').querySelector('[name=site]').value);
            // The app has heard nothing yet: the flow ends with the choice.
            assert.equal(await page.textContent('#result'), 'idle');
            await popup.click('#site-1');
            await page.waitForFunction(() => document.getElementById('result').textContent !== 'idle', null,
                { timeout: kStepTimeoutMs });
            assert.equal(await page.textContent('#result'), 'connected jira browser-picker');

            const { status, body } = await getConnection('browser-picker');
            assert.equal(status, 200, JSON.stringify(body));
            assert.equal(body.connection_config.sites.length, 3);
            assert.equal(body.connection_config.cloudId, second);
            assert.equal(body.connection_config.cloudId, body.connection_config.sites[1].id);
            assert.equal(body.connection_config.baseUrl, body.connection_config.sites[1].url);
            await page.close();
        } finally {
            await adminFake('config', { sites: 2 });
        }
    });

    test('a denied consent shows the error and stores nothing', { timeout: kStepTimeoutMs * 2 }, async () => {
        await adminFake('config', { deny: true });
        try {
            const [page, popup] = await clickConnect('user=browser-2');
            const result = await page.textContent('#result');
            assert.match(result, /^failed callback_err: /);
            assert.match(result, /access_denied/);
            // The popup stays open on the error page so the user sees why.
            assert.match(await popup.textContent('#result'), /could not be made/);
            assert.equal((await getConnection('browser-2')).status, 404);
            await page.close();
        } finally {
            await adminFake('config', { deny: false });
        }
    });

    test('without a websocket the callback page posts the result to the app origin only', { timeout: kStepTimeoutMs * 2 }, async () => {
        const [page, popup] = await clickConnect('user=browser-4&nows=1&subdomain=acme');
        assert.equal(await page.textContent('#result'), 'connected jira browser-4');
        if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: kStepTimeoutMs });
        assert.equal((await getConnection('browser-4')).status, 200);
        await page.close();
    });

    test('a public-key flow does not replace an existing connection', { timeout: kStepTimeoutMs * 2 }, async () => {
        const before = await getConnection('browser-1');
        assert.equal(before.status, 200, 'the success test runs first');
        const [page, popup] = await clickConnect('user=browser-1&nows=1');
        assert.match(await page.textContent('#result'), /^failed connection_already_exists: /);
        assert.match(await popup.textContent('#result'), /already exists/);
        const after = await getConnection('browser-1');
        assert.equal(after.body.credentials.access_token, before.body.credentials.access_token);
        await page.close();
    });

    test('a connect session connects once under an id Ferry chooses', { timeout: kStepTimeoutMs * 2 }, async () => {
        const response = await fetch(`${ferryUrl}/connect/sessions`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ end_user: { id: 'browser-end-user' }, allowed_integrations: ['jira'] })
        });
        assert.equal(response.status, 201);
        const { data } = await response.json();
        const [page] = await clickConnect(`token=${encodeURIComponent(data.token)}&subdomain=acme`);
        const result = await page.textContent('#result');
        const match = result.match(/^connected jira ([0-9a-f-]{36})$/);
        assert.ok(match, result);
        const { status, body } = await getConnection(match[1]);
        assert.equal(status, 200, JSON.stringify(body));
        assert.equal(body.end_user.id, 'browser-end-user');

        // The token served its one flow.
        const [again] = await clickConnect(`token=${encodeURIComponent(data.token)}&subdomain=acme`);
        assert.match(await again.textContent('#result'), /^failed connect_session_used: /);
        await page.close();
        await again.close();
    });

    test('a popup the browser blocks rejects with blocked_by_browser', { timeout: kStepTimeoutMs }, async () => {
        const page = await context.newPage();
        await page.goto(`${appUrl}?user=browser-3&auto=1`);
        await page.waitForFunction(() => document.getElementById('result').textContent !== 'idle', null,
            { timeout: kStepTimeoutMs });
        assert.match(await page.textContent('#result'), /^failed blocked_by_browser: .*popup/);
        await page.close();
    });
});

// Three instances on one PostgreSQL database (FERRY_TEST_POSTGRES_URL, a server the test may
// create a database on): the page's SDK talks to A, the provider calls back B (the
// server_root_url every instance names), and the SDK's websocket is held by C.
const postgresServer = process.env.FERRY_TEST_POSTGRES_URL;

/** Runs `sql` on the test server's own database with psql; fails the test on error. */
function psql(sql) {
    const run = spawnSync('psql', [postgresServer, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
    assert.equal(run.status, 0, `psql: ${run.stderr}`);
}

describe('OAuth connect flow across three instances on one PostgreSQL database',
    { timeout: 10 * kStepTimeoutMs, skip: postgresServer ? false : 'FERRY_TEST_POSTGRES_URL is not set' }, () => {
    const database = `ferry_browser_${process.pid}`;
    const urls = [];
    let appServer;
    let appUrl;
    let context;

    before(async () => {
        psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        psql(`CREATE DATABASE ${database}`);
        const databaseUrl = `${postgresServer}${postgresServer.includes('?') ? '&' : '?'}dbname=${database}`;
        const fakeUrl = await startFake();
        const ports = [await freePort(), await freePort(), await freePort()];
        for (const port of ports) urls.push(`http://127.0.0.1:${port}`);
        for (const port of ports) {
            const folder = tempFolder('ferry-browser-scale-');
            writeFileSync(join(folder, 'ferry.yaml'),
                `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${urls[1]}\n` +
                `secret_key: ${secretKey}\npublic_key: ${publicKey}\ndatabase_url: "${databaseUrl}"\n`);
            writeFileSync(join(folder, 'integrations.yaml'), integrationsYaml(fakeUrl));
            await startFerry(folder);
        }
        [appServer, appUrl] = await serveApp(testPage(urls[0], urls[2]));
        context = await launchBrowser();
    });

    after(async () => {
        await context?.close();
        appServer?.close();
        stopChildren();
        await new Promise((resolve) => setTimeout(resolve, 500));
        psql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        removeFolders();
    });

    test('connect on A, callback on B, websocket on C: the SDK reports success', { timeout: kStepTimeoutMs * 2 }, async () => {
        const page = await context.newPage();
        // The websocket the SDK opens goes to C.
        const sockets = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));
        await page.goto(`${appUrl}?user=scaled-1`);
        const popupOpened = page.waitForEvent('popup', { timeout: kStepTimeoutMs });
        await page.click('#connect');
        const popup = await popupOpened;
        await page.waitForFunction(() => document.getElementById('result').textContent !== 'idle', null,
            { timeout: kStepTimeoutMs });
        assert.equal(await page.textContent('#result'), 'connected jira scaled-1');
        assert.ok(sockets.length > 0 && sockets.every((url) => url.startsWith(urls[2].replace('http:', 'ws:'))),
            JSON.stringify(sockets));
        if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: kStepTimeoutMs });
        // Every instance serves the new connection.
        for (const url of urls) {
            const response = await fetch(`${url}/connections/scaled-1?provider_config_key=jira`, {
                headers: { Authorization: `Bearer ${secretKey}` }
            });
            assert.equal(response.status, 200, `${url}: ${await response.text()}`);
        }
        await page.close();
    });
});
