// Opens `count` keep-alive TCP connections to Ferry, sends one `GET /health HTTP/1.1` on each
// and reads its answer, then keeps them all open and idle until it gets SIGUSR2 (or until
// `hold seconds` have passed), closes them and exits. Only node:net, no packages.
//
// Usage: node hold.mjs <host> <port> <count> [hold seconds, default 120] [opening in parallel, default 200]
//
// stdout, one JSON object a line:
//   {"event":"ready", ...}   every connection has been tried: how many answered 200 and stayed
//                            open, the failures, when the first answer came (epoch ms)
//   {"event":"closing", ...} on SIGUSR2 or timeout: how many were still open just before closing
//                            (a connection the server closed in the meantime counts as lost)
// Past 20,000 connections, the next blocks of 20,000 use 127.0.0.2, 127.0.0.3, ... as source
// address, so the ephemeral port range towards one host:port is never exhausted.
import net from 'node:net';

const [host, portText, countText, holdText = '120', parallelText = '200'] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const holdSeconds = Number(holdText);
const parallel = Number(parallelText);
if (!host || !port || !count) {
  console.error('usage: node hold.mjs <host> <port> <count> [hold seconds] [parallel]');
  process.exit(2);
}

const perSourceAddress = 20000;
const request = `GET /health HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: ferry-bench-idle\r\n\r\n`;

const sockets = [];
let answered = 0;         // got a complete 200 answer that keeps the connection alive
let failed = 0;           // connect error, non-200, `Connection: close`, or closed before answering
const failures = {};      // reason -> count
let closedAfterAnswer = 0;  // closed (by the server, or an error) while held idle
let firstAnswerAt = 0;
let lastAnswerAt = 0;
let closing = false;

function fail(reason) {
  failed++;
  failures[reason] = (failures[reason] ?? 0) + 1;
}

// One connection: connect, send the request, parse one HTTP/1.1 answer (status line, headers,
// Content-Length body), then keep the socket. Resolves when the answer is complete or failed.
function open(index) {
  return new Promise((resolve) => {
    const options = { host, port, noDelay: true };
    const block = Math.floor(index / perSourceAddress);
    if (block > 0) options.localAddress = `127.0.0.${1 + block}`;
    const socket = net.connect(options);
    let buffer = Buffer.alloc(0);
    let done = false;
    let held = false;
    const finish = (ok, reason) => {
      if (done) return;
      done = true;
      socket.setTimeout(0);
      if (ok) {
        answered++;
        held = true;
        sockets.push(socket);
        const now = Date.now();
        if (!firstAnswerAt) firstAnswerAt = now;
        lastAnswerAt = now;
      } else {
        fail(reason);
        socket.destroy();
      }
      resolve();
    };
    // No answer within 30 s (a SYN lost to a full backlog, a stuck server): a failure.
    socket.setTimeout(30000, () => finish(false, 'no answer within 30 s'));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      if (done) return;  // nothing more is expected on an idle keep-alive connection
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0])?.[1]);
      const headers = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (buffer.length < end + 4 + length) return;
      if (status !== 200) return finish(false, `status ${status || '?'}`);
      if (/close/i.test(headers.connection ?? '')) return finish(false, 'Connection: close');
      finish(true);
    });
    socket.on('error', (error) => {
      if (!done) finish(false, error.code ?? error.message);
    });
    socket.on('close', () => {
      if (!done) finish(false, 'closed before the answer');
      else if (held && !closing) closedAfterAnswer++;
    });
  });
}

const started = Date.now();
let next = 0;
async function worker() {
  while (next < count) await open(next++);
}
await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));

const report = (event, extra) => console.log(JSON.stringify({ event, ...extra }));
report('ready', {
  connections: count, answered_200: answered, failed, failures,
  closed_while_idle: closedAfterAnswer, open_now: answered - closedAfterAnswer,
  opening_ms: Date.now() - started, first_answer_at: firstAnswerAt, last_answer_at: lastAnswerAt,
});

let stopped = false;
function stop(reason) {
  if (stopped) return;
  stopped = true;
  report('closing', {
    reason, open_before_closing: answered - closedAfterAnswer, closed_while_idle: closedAfterAnswer,
    held_ms_since_first_answer: firstAnswerAt ? Date.now() - firstAnswerAt : 0,
  });
  closing = true;
  for (const socket of sockets) socket.destroy();
  clearTimeout(timer);
  process.exitCode = 0;
}
const timer = setTimeout(() => stop('timeout'), holdSeconds * 1000);
process.on('SIGUSR2', () => stop('SIGUSR2'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
