// What the real-browser tests share: starting the real binaries (ferry serve, fake-atlassian)
// and Debian's Chromium, and stopping and removing all of it afterwards.
//
// Environment (run-browser.sh sets them): FERRY_BINARY, FAKE_ATLASSIAN_BINARY,
// FERRY_CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const ferryBinary = process.env.FERRY_BINARY;
export const fakeBinary = process.env.FAKE_ATLASSIAN_BINARY;
export const chromiumPath = process.env.FERRY_CHROMIUM || '/usr/bin/chromium';
export const kStepTimeoutMs = 30_000;

const children = [];
const folders = [];

/** Starts `argv` and resolves with [child, the first match of `pattern` in its output]. The
 *  child is stopped by stopChildren(). */
export function start(argv, pattern, options = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...options });
        children.push(child);
        let output = '';
        const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start:\n${output}`)), kStepTimeoutMs);
        const onData = (chunk) => {
            output += chunk;
            const match = output.match(pattern);
            if (match) {
                clearTimeout(timer);
                resolve([child, match]);
            }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (error) => reject(error));
        child.on('exit', (code) => reject(new Error(`${argv[0]} exited with ${code}:\n${output}`)));
    });
}

/** A port that was free a moment ago (Ferry's server_root_url must name its real port). */
export function freePort() {
    return new Promise((resolve) => {
        const server = createServer();
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** A new empty folder under the system's temporary folder, removed by removeFolders(). */
export function tempFolder(prefix) {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    folders.push(folder);
    return folder;
}

/** Starts fake-atlassian on a free port with `args` (e.g. ['--sites', '2']); resolves with
 *  its URL. */
export async function startFake(args = []) {
    const [, match] = await start([fakeBinary, '--port', '0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return match[1];
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
    return chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        // Let the browser block popups that no user action opened, as a real one does.
        ignoreDefaultArgs: ['--disable-popup-blocking'],
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: kStepTimeoutMs,
        ...options
    });
}

/** Stops every child started so far (SIGTERM). */
export function stopChildren() {
    for (const child of children.splice(0)) child.kill('SIGTERM');
}

/** Removes every folder tempFolder() made. */
export function removeFolders() {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}
