// Asynchronous actions through the official @nangohq/node SDK against the real binary:
// triggerActionAsync answers at once with an id and a status URL, and getAsyncActionResult
// (by id or by status URL) answers the output of a succeeding action once it is done, or
// throws the error of a failing one, as the SDK surfaces Nango's.
//
// Environment (run-suite.sh sets it): FERRY_BINARY.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Nango } from '@nangohq/node';
import { callApi, freePort, sleep, startFerry, stopAll } from './servers.mjs';

const ferryBinary = process.env.FERRY_BINARY;
const skipReason = ferryBinary ? false : 'FERRY_BINARY must be set';

const secretKey = 'async-actions-secret-key-0123456789abcdef';
const kStepTimeoutMs = 60_000;

/** Polls getAsyncActionResult while Ferry answers 404 (Nango's "not done yet"). */
async function pollResult(nango, props) {
    for (let attempt = 0; ; ++attempt) {
        try {
            return await nango.getAsyncActionResult(props);
        } catch (error) {
            if (error.response?.status !== 404 || attempt >= 200) throw error;
            await sleep(50);
        }
    }
}

describe('asynchronous actions through @nangohq/node', { skip: skipReason, timeout: 4 * kStepTimeoutMs }, () => {
    const opts = { timeout: kStepTimeoutMs };
    let nango;

    before(async () => {
        const port = await freePort();
        const ferryUrl = `http://127.0.0.1:${port}`;
        await startFerry(ferryBinary, {
            'ferry.yaml': `server_port: ${port}\nlisten_address: 127.0.0.1\nserver_root_url: ${ferryUrl}\n` +
                `secret_key: ${secretKey}\n`,
            'integrations.yaml': 'integrations:\n  close:\n    extends_blueprint: close\n',
            'close/echo.action.lua': 'return function(nango, input) return { echo = input, n = input.n * 2 } end\n',
            'close/refuse.action.lua':
                'return function(nango, input) error({ message = "refused on purpose", reason = input.why }) end\n'
        });
        const imported = await callApi(ferryUrl, secretKey, 'POST', '/connections', {
            provider_config_key: 'close', connection_id: 'user-1', credentials: { type: 'API_KEY', apiKey: 'key-1' }
        });
        assert.equal(imported.status, 201, JSON.stringify(imported.body));
        nango = new Nango({ secretKey, host: ferryUrl });
    });

    after(stopAll);

    test('a succeeding action: an id at once, then its output by id and by status URL', opts, async () => {
        const started = await nango.triggerActionAsync('close', 'user-1', 'echo', { n: 21 });
        assert.deepEqual(Object.keys(started).sort(), ['id', 'statusUrl']);
        assert.match(started.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(started.statusUrl, `/action/${started.id}`);

        assert.deepEqual(await pollResult(nango, { id: started.id }), { echo: { n: 21 }, n: 42 });
        assert.deepEqual(await nango.getAsyncActionResult({ statusUrl: started.statusUrl }), { echo: { n: 21 }, n: 42 });
        // The synchronous path is unchanged.
        assert.deepEqual(await nango.triggerAction('close', 'user-1', 'echo', { n: 1 }), { echo: { n: 1 }, n: 2 });
    });

    test('a failing action: getAsyncActionResult throws its error', opts, async () => {
        const started = await nango.triggerActionAsync('close', 'user-1', 'refuse', { why: 'test' });
        await assert.rejects(pollResult(nango, started), (error) => {
            assert.equal(error.response?.status, 500);
            assert.deepEqual(error.response.data, {
                error: { code: 'action_failed', message: 'refused on purpose', payload: { message: 'refused on purpose', reason: 'test' } }
            });
            return true;
        });
    });

    test('unknown actions and unknown ids are 404s', opts, async () => {
        await assert.rejects(nango.triggerActionAsync('close', 'user-1', 'no-such-action', {}),
            (error) => error.response?.status === 404);
        await assert.rejects(nango.getAsyncActionResult({ id: '00000000-0000-4000-8000-000000000000' }),
            (error) => error.response?.status === 404 && error.response.data.error.code === 'not_found');
        await assert.rejects(nango.getAsyncActionResult({}), /Either id or statusUrl must be provided/);
    });
});
