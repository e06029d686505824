// The real @nangohq/frontend 0.71.10 (its own ES modules, unbundled) in Chromium against the
// real binary and fake-atlassian: auth() with a connect session creates a connection and
// reports every field the SDK reads from Ferry's websocket (isPending included), reconnect()
// with a reconnect session renews that same connection, and a refused session reaches the
// SDK as an AuthError with Ferry's error type.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    freePort, integrationsYaml, kStepTimeoutMs, launchBrowser, removeFolders, serveApp, startFake, startFerry,
    stopChildren, tempFolder
} from './harness.mjs';

const secretKey = 'browser-nango-secret-key-0123456789';
const sdkFolder = join(dirname(fileURLToPath(import.meta.url)), 'node_modules/@nangohq/frontend/dist');

/** The application's page: the SDK's modules from its own origin, one button per call. */
function appPage(ferryUrl) {
    return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>App</title></head>
<body>
<button id="connect">Connect</button>
<p id="result">idle</p>
<script type="module">
  import Nango from '/sdk/index.js';
  const query = new URLSearchParams(location.search);
  const nango = new Nango({ host: ${JSON.stringify(ferryUrl)}, connectSessionToken: query.get('token') });
  const show = (text) => { document.getElementById('result').textContent = text; };
  document.getElementById('connect').addEventListener('click', () => {
    const call = query.get('reconnect') ? nango.reconnect('jira', {}) : nango.auth('jira', {});
    call.then((r) => show('ok ' + JSON.stringify(r)))
        .catch((e) => show('failed ' + e.type + ': ' + e.message));
  });
</script>
</body></html>`;
}

/** The SDK's modules, served at /sdk/<file>.js beside the page. */
function sdkModule(path) {
    const module = /^\/sdk\/([a-zA-Z]+\.js)$/.exec(path);
    return module ? ['text/javascript; charset=utf-8', readFileSync(join(sdkFolder, module[1]))] : null;
}

describe('@nangohq/frontend 0.71.10 against Ferry in Chromium', { timeout: 10 * kStepTimeoutMs }, () => {
    let ferryUrl;
    let appUrl;
    let appServer;
    let context;

    async function api(method, path, body) {
        const response = await fetch(ferryUrl + path, {
            method,
            headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body)
        });
        return { status: response.status, body: await response.json() };
    }

    /** Opens the app with `query`, clicks Connect and returns what the page reports. */
    async function clickConnect(query) {
        const page = await context.newPage();
        await page.goto(`${appUrl}?${query}`);
        const popupOpened = page.waitForEvent('popup', { timeout: kStepTimeoutMs });
        await page.click('#connect');
        await popupOpened;
        await page.waitForFunction(() => document.getElementById('result').textContent !== 'idle', null,
            { timeout: kStepTimeoutMs });
        const result = await page.textContent('#result');
        await page.close();
        return result;
    }

    before(async () => {
        const fakeUrl = await startFake();
        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        const folder = tempFolder('ferry-browser-nango-');
        writeFileSync(join(folder, 'ferry.yaml'),
            `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\nsecret_key: ${secretKey}\n`);
        writeFileSync(join(folder, 'integrations.yaml'), integrationsYaml(fakeUrl));
        await startFerry(folder);
        [appServer, appUrl] = await serveApp(appPage(ferryUrl), sdkModule);
        context = await launchBrowser();
    });

    after(async () => {
        await context?.close();
        appServer?.close();
        stopChildren();
        removeFolders();
    });

    let connectionId;

    test('auth() with a connect session connects and reports every success field', { timeout: kStepTimeoutMs * 2 }, async () => {
        const session = await api('POST', '/connect/sessions', { end_user: { id: 'u-frontend', email: 'f@example.com' } });
        assert.equal(session.status, 201, JSON.stringify(session.body));
        const result = await clickConnect(`token=${session.body.data.token}`);
        assert.match(result, /^ok /, result);
        const success = JSON.parse(result.slice(3));
        assert.deepEqual(Object.keys(success).sort(), ['connectionId', 'isPending', 'providerConfigKey']);
        assert.equal(success.providerConfigKey, 'jira');
        assert.equal(success.isPending, false);
        connectionId = success.connectionId;
        const connection = await api('GET', `/connections/${connectionId}?provider_config_key=jira`);
        assert.equal(connection.status, 200, JSON.stringify(connection.body));
        assert.equal(connection.body.end_user.id, 'u-frontend');
    });

    test('reconnect() with a reconnect session renews the same connection', { timeout: kStepTimeoutMs * 2 }, async () => {
        assert.ok(connectionId, 'the first test connected');
        const before = await api('GET', `/connections/${connectionId}?provider_config_key=jira`);
        const session = await api('POST', '/connect/sessions/reconnect', { connection_id: connectionId, integration_id: 'jira' });
        assert.equal(session.status, 201, JSON.stringify(session.body));
        const result = await clickConnect(`token=${session.body.data.token}&reconnect=1`);
        assert.match(result, /^ok /, result);
        const success = JSON.parse(result.slice(3));
        assert.deepEqual(success, { providerConfigKey: 'jira', connectionId, isPending: false });
        const after = await api('GET', `/connections/${connectionId}?provider_config_key=jira`);
        assert.notEqual(after.body.credentials.access_token, before.body.credentials.access_token);
        const listed = await api('GET', '/connections?endUserId=u-frontend');
        assert.deepEqual(listed.body.connections.map((c) => c.connection_id), [connectionId]);
    });

    test('a used connect session is refused and the SDK rejects with Ferry\'s error type', { timeout: kStepTimeoutMs * 2 }, async () => {
        const session = await api('POST', '/connect/sessions', { end_user: { id: 'u-once' } });
        assert.match(await clickConnect(`token=${session.body.data.token}`), /^ok /);
        const again = await clickConnect(`token=${session.body.data.token}`);
        assert.match(again, /^failed connect_session_used: /, again);
    });
});
