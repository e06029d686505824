// Starts the real binaries for a test: fake-atlassian and `ferry serve` on a folder of its
// own. Every child and folder is cleaned up by stopAll().
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { start, tempFolder } from '../support/node/children.mjs';

export { freePort, start, startFakeAtlassian, stopAll } from '../support/node/children.mjs';

/**
 * Writes `files` (relative path -> text) into a new folder and serves it with `ferry serve`;
 * resolves with the folder once the server listens.
 */
export async function startFerry(binary, files) {
    const folder = tempFolder('ferry-compat-');
    for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(folder, path)), { recursive: true });
        writeFileSync(join(folder, path), text);
    }
    await start([binary, 'serve', folder], /Ferry listening on/);
    return folder;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `pred` holds on its value (or `timeoutMs` passes); returns the value. */
export async function eventually(read, pred, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let value = await read();
    while (!pred(value) && Date.now() < deadline) {
        await sleep(100);
        value = await read();
    }
    return value;
}

/**
 * Calls Ferry's REST API at `baseUrl` with the secret key, sending `body` as JSON when given;
 * returns the status and the parsed JSON answer.
 */
export async function callApi(baseUrl, secretKey, method, path, body) {
    const response = await fetch(baseUrl + path, {
        method,
        headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
    });
    return { status: response.status, body: await response.json() };
}

/**
 * The browser's three steps of a connect flow over plain HTTP: Ferry's connect URL for
 * `integration` (with `query` added), the provider's consent page (fake-atlassian approves),
 * Ferry's callback, which must report success.
 */
export async function connectOverHttp(ferryUrl, integration, query) {
    const url = new URL(`${ferryUrl}/oauth/connect/${integration}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const toProvider = await fetch(url, { redirect: 'manual' });
    assert.equal(toProvider.status, 302, await toProvider.text());
    const toCallback = await fetch(toProvider.headers.get('location'), { redirect: 'manual' });
    assert.equal(toCallback.status, 302, await toCallback.text());
    const callback = new URL(toCallback.headers.get('location'));
    const page = await fetch(ferryUrl + callback.pathname + callback.search);
    const text = await page.text();
    assert.equal(page.status, 200, text);
    assert.match(text, /AUTHORIZATION_SUCEEDED/);
}
