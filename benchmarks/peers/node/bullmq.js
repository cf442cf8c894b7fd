// BullMQ peer. `node bullmq.js producer` serves common.js's protocol;
// `node bullmq.js worker C` runs one Worker with concurrency C (Ctrl-C/SIGTERM closes it).
'use strict';
const { Queue, Worker } = require('bullmq');
const { PORT, record, payload, serve } = require('./common');

const NAME = 'email';
const BULK = 1000; // jobs per addBulk call
const connection = { host: '127.0.0.1', port: PORT };

function producer() {
  const queue = new Queue(NAME, { connection });
  const one = (data) => queue.add(NAME, data);
  return {
    one,
    async loop(n) {
      for (let k = 0; k < n; k++) await one(payload(k));
    },
    async bulk(n) {
      for (let first = 0; first < n; first += BULK) {
        const jobs = [];
        for (let k = first; k < Math.min(first + BULK, n); k++) {
          jobs.push({ name: NAME, data: payload(k) });
        }
        await queue.addBulk(jobs);
      }
      return `addBulk of ${BULK}`;
    },
    close: () => queue.close(),
  };
}

function worker(concurrency) {
  const w = new Worker(NAME, async (job) => record(job.data), { connection, concurrency });
  const stop = () => w.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[2] === 'producer') serve(producer());
else worker(Number(process.argv[3] || 1));
