// Shared plumbing of the interop scripts: parameters in, one JSON line out, always exit.
//
// Every script is run as `node <script>.js '<params JSON>'` with NODE_PATH pointing at the
// node_modules folder that holds kue@0.11.6. `params` always has `redis` (a redis:// URL),
// `prefix` and `timeout_ms`; the rest is the scenario's. The script's result is the LAST
// line of stdout, one JSON object. A watchdog prints {"error": "timeout", ...} and exits
// with status 3 when the scenario does not finish in time, so no run can hang the tests.
'use strict';

var kue = require('kue');

var params = JSON.parse(process.argv[2] || process.env.KUEPORT_INTEROP_PARAMS || '{}');
var partial = {};
var finished = false;

var watchdog = setTimeout(function() {
  emit({ error: 'timeout', partial: partial });
  process.exit(3);
}, params.timeout_ms || 20000);

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// The queue of this process; `promotion` interval short so delayed jobs move quickly.
function createQueue(extra) {
  var options = {
    prefix: params.prefix,
    redis: params.redis,
    promotion: { interval: params.promotion_interval_ms || 50 },
  };
  Object.keys(extra || {}).forEach(function(k) { options[k] = extra[k]; });
  var queue = kue.createQueue(options);
  queue.on('error', function(err) {
    emit({ error: 'queue error: ' + (err && err.stack || err) });
    process.exit(4);
  });
  return queue;
}

// Shut the queue down (Kue's graceful shutdown), then print `result` and exit 0.
function finish(queue, result) {
  if (finished) return;
  finished = true;
  queue.shutdown(5000, function(err) {
    clearTimeout(watchdog);
    if (err) result.shutdown_error = String(err);
    emit(result);
    // node_redis QUITs are queued after every pending command, so nothing is lost here.
    setImmediate(function() { process.exit(0); });
  });
}

function fail(message) {
  clearTimeout(watchdog);
  emit({ error: message });
  process.exit(5);
}

// A job built from a spec: {type, data, priority, attempts, delay, backoff, ttl,
// removeOnComplete}; options are applied only when present, as a Kue user would.
function buildJob(queue, spec) {
  var job = queue.create(spec.type, spec.data);
  if (spec.priority !== undefined) job.priority(spec.priority);
  if (spec.attempts !== undefined) job.attempts(spec.attempts);
  if (spec.delay !== undefined) job.delay(spec.delay);
  if (spec.backoff !== undefined) job.backoff(spec.backoff);
  if (spec.ttl !== undefined) job.ttl(spec.ttl);
  if (spec.removeOnComplete !== undefined) job.removeOnComplete(spec.removeOnComplete);
  return job;
}

// Save specs in order (ids follow the order); calls back with the saved jobs.
function saveAll(queue, specs, done) {
  var jobs = [];
  (function next(i) {
    if (i >= specs.length) return done(jobs);
    var job = buildJob(queue, specs[i]);
    job.save(function(err) {
      if (err) return fail('save failed: ' + err);
      jobs.push(job);
      next(i + 1);
    });
  })(0);
}

module.exports = {
  kue: kue,
  params: params,
  partial: partial,
  createQueue: createQueue,
  finish: finish,
  fail: fail,
  emit: emit,
  buildJob: buildJob,
  saveAll: saveAll,
};
