// The web dashboard in a real browser: Debian's Chromium (headless, driven by playwright-core)
// opens http://<ferry>/ (the dashboard is served from the binary), signs in, and works the
// pages the way a newcomer does: the blueprint catalog's search and category filter,
// connections made through the REST API and through the Connect page's popup flow (against
// fake-atlassian), an action run, the activity log's filters, and a deletion. Each test
// saves a screenshot into FERRY_TEST_ARTIFACTS.
//
// Environment (run-browser.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY,
// FERRY_CHROMIUM, FERRY_TEST_ARTIFACTS (default: a test-artifacts/browser folder beside the
// current directory).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
    fakeBinary, ferryBinary, freePort, integrationsYaml, kStepTimeoutMs, launchBrowser, removeFolders,
    startFake, startFerry, stopChildren, tempFolder
} from './harness.mjs';

const secretKey = 'dashboard-secret-key-0123456789abcdef';
const publicKey = 'dashboard-public-key-0123456789abcdef';
const artifacts = resolve(process.env.FERRY_TEST_ARTIFACTS || 'test-artifacts/browser');

// An action of the test folder: no provider call, so its result is known.
const echoAction = `return function(nango, input)
  nango.log.info("greeting " .. tostring(input.name))
  return { greeting = "hello " .. tostring(input.name), connection = nango:connection().connection_id }
end
`;

describe('The web dashboard in Chromium', { timeout: 20 * kStepTimeoutMs }, () => {
    let ferryUrl;
    let context;
    let page;

    /** A call to Ferry's REST API with the secret key; resolves with {status, body}. */
    async function rest(method, path, body, headers = {}) {
        const response = await fetch(`${ferryUrl}${path}`, {
            method,
            headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json', ...headers },
            body: body === undefined ? undefined : JSON.stringify(body)
        });
        const text = await response.text();
        let parsed = text;
        try {
            parsed = text ? JSON.parse(text) : null;
        } catch {
            // not JSON: keep the text
        }
        return { status: response.status, body: parsed };
    }

    /** Saves the page as test-artifacts/browser/dashboard-<name>.png. */
    async function screenshot(name) {
        await page.screenshot({ path: join(artifacts, `dashboard-${name}.png`), fullPage: true });
    }

    /** Opens a dashboard page by its hash path and waits for the header. */
    async function open(hash) {
        await page.goto(`${ferryUrl}/#/${hash}`);
        await page.locator('.topbar').waitFor({ timeout: kStepTimeoutMs });
    }

    before(async () => {
        assert.ok(ferryBinary && fakeBinary, 'FERRY_BINARY and FAKE_ATLASSIAN_BINARY must be set');
        mkdirSync(artifacts, { recursive: true });
        const fakeUrl = await startFake(['--sites', '2']);
        const port = await freePort();
        ferryUrl = `http://127.0.0.1:${port}`;
        const folder = tempFolder('ferry-dashboard-');
        writeFileSync(join(folder, 'ferry.yaml'),
            `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
            `secret_key: ${secretKey}\npublic_key: ${publicKey}\n`);
        writeFileSync(join(folder, 'integrations.yaml'), integrationsYaml(fakeUrl));
        mkdirSync(join(folder, 'jira'));
        writeFileSync(join(folder, 'jira', 'echo.action.lua'), echoAction);
        await startFerry(folder);
        context = await launchBrowser({ viewport: { width: 1280, height: 900 } });
        context.setDefaultTimeout(kStepTimeoutMs);
        page = await context.newPage();
    });

    after(async () => {
        await context?.close();
        stopChildren();
        removeFolders();
    });

    test('a wrong key is refused with a message; the secret key signs in', async () => {
        await page.goto(`${ferryUrl}/`);
        await page.fill('#credential', 'not-the-key');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await assert.doesNotReject(page.getByRole('alert').filter({ hasText: 'not right' }).waitFor());
        assert.equal(await page.locator('.topbar').count(), 0);
        await screenshot('sign-in-refused');

        await page.fill('#credential', secretKey);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.locator('.topbar').waitFor();
        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        // The session survives a reload (HttpOnly cookie).
        await page.reload();
        await page.getByRole('heading', { name: 'Overview' }).waitFor();
        await screenshot('overview');
    });

    test('the integrations page shows jira with its callback URL and actions', async () => {
        await open('integrations');
        const card = page.locator('[data-integration="jira"]');
        await card.waitFor();
        assert.match(await card.textContent(), new RegExp(`${ferryUrl}/oauth/callback`));
        assert.match(await card.textContent(), /echo/);
        await screenshot('integrations');
    });

    test('the catalog lists the built-in blueprints, searches them and filters by category', async () => {
        await open('catalog');
        const cards = page.locator('article.provider');
        await cards.first().waitFor();
        const total = await cards.count();
        assert.ok(total >= 25, `${total} provider cards`);
        assert.equal(await page.locator('.catalog .count').textContent(), `${total} of ${total} providers`);

        const search = page.getByRole('searchbox', { name: 'Search' });
        await search.fill('jira');
        const jira = page.locator('article.provider[data-provider="jira"]');
        await jira.waitFor();
        // Every card left has the word somewhere (name, description, categories, auth mode).
        await page.waitForFunction(() => {
            const shown = [...document.querySelectorAll('article.provider')];
            return shown.length > 0 && shown.every((card) => card.textContent.toLowerCase().includes('jira'));
        });
        // The view is in the hash, so it can be linked; jira is configured in the test folder.
        await page.waitForFunction(() => location.hash === '#/catalog?search=jira');
        assert.match(await jira.textContent(), /configured as jira/);
        await screenshot('catalog-search');

        await search.fill('');
        await page.selectOption('select[name="category"]', 'crm');
        await page.waitForFunction(() => location.hash === '#/catalog?category=crm');
        await page.waitForFunction(() => {
            const shown = [...document.querySelectorAll('article.provider')];
            return shown.length > 0 && shown.every((card) =>
                [...card.querySelectorAll('.chip.category')].some((chip) => chip.textContent === 'crm'));
        });
        const crm = await cards.count();
        assert.ok(crm < total, `${crm} of ${total} cards`);
        assert.equal(await page.locator('.catalog .count').textContent(), `${crm} of ${total} providers`);
        // Links out of the dashboard open a new tab without handing it this page.
        for (const link of await page.locator('article.provider a[target="_blank"]').all()) {
            assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
        }
        await screenshot('catalog-crm');
    });

    test('a connection made through the REST API is listed and opens', async () => {
        const created = await rest('POST', '/connections', {
            connection_id: 'api-user-1',
            provider_config_key: 'jira',
            credentials: { type: 'OAUTH2', access_token: 'api-access-token', refresh_token: 'api-refresh-token' }
        });
        assert.ok(created.status === 200 || created.status === 201, JSON.stringify(created.body));

        await open('connections');
        const row = page.locator('tr[data-connection="api-user-1"]');
        await row.waitFor();
        assert.match(await row.textContent(), /jira/);
        assert.equal(await row.locator('.badge').count(), 1, 'a health badge');
        // Search narrows the list.
        await page.getByRole('searchbox', { name: 'Search' }).fill('no-such-connection');
        await row.waitFor({ state: 'detached' });
        await page.getByRole('searchbox', { name: 'Search' }).fill('api-user');
        await row.waitFor();
        await screenshot('connections');

        await row.getByRole('link', { name: 'api-user-1' }).click();
        await page.waitForURL(/#\/connections\/jira\/api-user-1$/);
        await page.getByRole('heading', { name: 'api-user-1' }).waitFor();
        // Credentials are masked: the stored token never reaches the page whole.
        await page.getByRole('heading', { name: 'Credentials' }).waitFor();
        assert.doesNotMatch(await page.locator('main').textContent(), /api-access-token/);
    });

    test('Connect runs the popup flow against fake-atlassian and shows the new connection', async () => {
        await open('connect');
        await page.selectOption('#connect-integration', 'jira');
        await page.fill('#connect-id', 'dash-user-1');
        const popupOpened = page.waitForEvent('popup');
        await page.getByRole('button', { name: 'Connect', exact: true }).click();
        const popup = await popupOpened;
        // fake-atlassian grants two sites and jira:v0 asks which one: the user takes the first.
        await popup.click('#site-0');
        await page.waitForURL(/#\/connections\/jira\/dash-user-1$/);
        if (!popup.isClosed()) await popup.waitForEvent('close');

        const stored = await rest('GET', '/connections/dash-user-1?provider_config_key=jira');
        assert.equal(stored.status, 200, JSON.stringify(stored.body));
        const cloudId = stored.body.connection_config.cloudId;
        assert.ok(cloudId, JSON.stringify(stored.body.connection_config));
        await page.locator('.cloud-id').filter({ hasText: cloudId }).waitFor();
        // fake-atlassian grants two sites; the chosen one is marked.
        assert.equal(await page.locator('table.sites tbody tr').count(), 2);
        assert.match(await page.locator('table.sites tr.chosen').textContent(), new RegExp(cloudId));
        await screenshot('connected');
    });

    test('an action runs for a connection and shows its result and run', async () => {
        await open('actions/jira/echo');
        // Preact sets an option's value as a property, not an attribute: match its text.
        await page.locator('#action-connection option').filter({ hasText: /^dash-user-1$/ })
            .waitFor({ state: 'attached' });
        await page.selectOption('#action-connection', 'dash-user-1');
        await page.fill('#action-input', '{"name": "Ada"}');
        await page.getByRole('button', { name: 'Run' }).click();
        const result = page.locator('.action-result');
        await result.waitFor();
        const text = await result.textContent();
        assert.match(text, /"greeting": "hello Ada"/);
        assert.match(text, /"connection": "dash-user-1"/);
        await page.locator('.action-result ~ .card table.logs tbody tr').first().waitFor();
        await screenshot('action');
    });

    test('the activity log filters by type, status and connection, and opens an entry', async () => {
        // A proxied call the provider answers 404: an entry for the status filter.
        const missing = await rest('GET', '/proxy/no/such/endpoint', undefined,
            { 'Connection-Id': 'dash-user-1', 'Provider-Config-Key': 'jira' });
        assert.ok(missing.status >= 400, `status ${missing.status}`);

        await open('activity');
        const rows = page.locator('table.logs tbody tr');
        await rows.first().waitFor();

        await page.selectOption('select[name="type"]', 'action');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForFunction(() => {
            const cells = [...document.querySelectorAll('table.logs tbody tr td:nth-child(2)')];
            return cells.length > 0 && cells.every((cell) => cell.textContent === 'action');
        });

        await page.selectOption('select[name="type"]', '');
        await page.selectOption('select[name="status"]', '4xx,5xx');
        await page.fill('input[name="connection_id"]', 'dash-user-1');
        await page.getByRole('button', { name: 'Filter' }).click();
        await page.waitForFunction(() => {
            const rows = [...document.querySelectorAll('table.logs tbody tr')];
            return rows.length > 0 && rows.every((row) => /^[45]\d\d$/.test(row.querySelector('td:nth-child(6)').textContent) &&
                row.querySelector('td:nth-child(4)').textContent.includes('dash-user-1'));
        });
        await screenshot('activity-filtered');

        await rows.first().click();
        await page.waitForURL(/#\/activity\/[^/]+$/);
        await page.getByRole('link', { name: 'jira / dash-user-1' }).waitFor();
        await screenshot('activity-entry');
    });

    test('a connection is deleted only after the confirmation', async () => {
        await open('connections/jira/api-user-1');
        await page.getByRole('button', { name: 'Delete', exact: true }).click();
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        await screenshot('delete-confirmation');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.equal((await rest('GET', '/connections/api-user-1?provider_config_key=jira')).status, 200);

        await page.getByRole('button', { name: 'Delete', exact: true }).click();
        await dialog.getByRole('button', { name: 'Delete connection' }).click();
        await page.waitForURL(/#\/connections$/);
        await page.locator('tr[data-connection="dash-user-1"]').waitFor();
        assert.equal(await page.locator('tr[data-connection="api-user-1"]').count(), 0);
        assert.equal((await rest('GET', '/connections/api-user-1?provider_config_key=jira')).status, 404);
        await screenshot('deleted');
    });

    test('sign out returns to the sign-in page', async () => {
        await open('overview');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.locator('#credential').waitFor();
        await page.reload();
        await page.locator('#credential').waitFor();
        await screenshot('signed-out');
    });
});
