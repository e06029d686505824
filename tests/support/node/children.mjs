// Child processes and temporary folders for the Node test suites (tests/browser,
// tests/compat): start a real binary and wait for its banner, pick a free port, make
// folders, and stop and remove all of it afterwards. Dependency-free: each suite imports it
// by relative path.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const kStartTimeoutMs = 30_000;

const children = [];
const folders = [];

/** Starts `argv` and resolves with [child, the first match of `pattern` in its output]. The
 *  child is stopped by stopChildren() or stopAll(). */
export function start(argv, pattern, options = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...options });
        children.push(child);
        let output = '';
        const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start:\n${output}`)), kStartTimeoutMs);
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

/** Starts fake-atlassian (`binary`) on a free port with `args`; resolves with its base URL. */
export async function startFakeAtlassian(binary, args = []) {
    const [, match] = await start([binary, '--port', '0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return match[1];
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

/** Stops every child started so far (SIGTERM) without waiting. */
export function stopChildren() {
    for (const child of children.splice(0)) child.kill('SIGTERM');
}

/** Removes every folder tempFolder() made. */
export function removeFolders() {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** Stops every child started so far, waits for them to exit, then removes the folders. */
export async function stopAll() {
    await Promise.all(children.splice(0).map((child) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
    })));
    removeFolders();
}
