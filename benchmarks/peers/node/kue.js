// Node Kue 0.11 peer. `node kue.js producer` serves common.js's protocol;
// `node kue.js worker C` runs queue.process('email', C, ...). Kue has no bulk API.
'use strict';
const kue = require('kue');
const { PORT, record, payload, serve } = require('./common');

const NAME = 'email';

function createQueue() {
  return kue.createQueue({ prefix: 'q', redis: { host: '127.0.0.1', port: PORT } });
}

function producer() {
  const queue = createQueue();
  const one = (data) =>
    new Promise((resolve, reject) => {
      queue.create(NAME, data).save((err) => (err ? reject(err) : resolve()));
    });
  const loop = async (n) => {
    for (let k = 0; k < n; k++) await one(payload(k));
  };
  return {
    one,
    loop,
    async bulk(n) {
      await loop(n);
      return 'no bulk API';
    },
    close: () => new Promise((resolve) => queue.shutdown(1000, () => resolve())),
  };
}

function worker(concurrency) {
  const queue = createQueue();
  queue.process(NAME, concurrency, (job, done) => {
    record(job.data);
    done();
  });
  const stop = () => queue.shutdown(5000, () => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[2] === 'producer') serve(producer());
else worker(Number(process.argv[3] || 1));
