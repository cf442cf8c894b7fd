// Shared by the Node peers: the sink line every handler appends (see sink.py) and the
// producer's stdin/stdout protocol, so the Python runner can drive Node producers.
'use strict';
const fs = require('fs');
const readline = require('readline');
const { performance } = require('perf_hooks');

const SINK = process.env.BENCH_SINK;
const PORT = Number(process.env.BENCH_REDIS_PORT);
const EMAIL = 'user@example.com';

function now() {
  return (performance.timeOrigin + performance.now()) / 1000;
}

// One appendFileSync = one open(O_APPEND) + one write, like the Python handlers.
function record(data) {
  const started = now();
  fs.appendFileSync(SINK, `${data.i} ${started.toFixed(6)} ${data.t || 0}\n`);
}

function payload(k, t) {
  return t === undefined ? { i: k, to: EMAIL } : { i: k, to: EMAIL, t };
}

// Commands on stdin, one per line: "one N", "bulk N", "timed K", "quit". Each gets one
// JSON line on stdout; "one"/"bulk" answer {"seconds": S, "note": ...}, S timed around the
// enqueue calls only (not Node's start-up).
function serve(producer) {
  const lines = readline.createInterface({ input: process.stdin });
  let chain = Promise.resolve();
  const answer = (reply) => process.stdout.write(JSON.stringify(reply) + '\n');
  lines.on('line', (line) => {
    chain = chain
      .then(async () => {
        const [command, arg] = line.trim().split(/\s+/);
        if (command === 'quit') {
          await producer.close();
          answer({});
          process.exit(0);
        }
        const n = Number(arg);
        if (command === 'timed') {
          await producer.one(payload(n, now()));
          answer({});
          return;
        }
        const start = performance.now();
        const note = command === 'one' ? await producer.loop(n) : await producer.bulk(n);
        answer({ seconds: (performance.now() - start) / 1000, note: note || '' });
      })
      .catch((error) => answer({ error: String(error && error.stack) }));
  });
}

module.exports = { PORT, SINK, record, payload, serve };
