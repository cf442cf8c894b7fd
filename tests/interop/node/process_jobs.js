// A Node Kue worker: optionally saves params.create first, then processes params.type with
// concurrency params.concurrency (default 1) until params.expect jobs reached a final outcome
// (complete, or failed with no attempts left), then shuts down.
//
// The handler follows the rule every interop worker follows, Python's included:
//   made = attempts made before this run; if data.fail_times > made: fail with
//   new Error(data.message || "boom"); else complete with data.result when the data has a
//   "result" key, otherwise {"handled_by": "node", "echo": data}.
// Prints {"seen": [one entry per run, in run order], "outcomes": {id: "complete"|"failed"},
// "created": [ids]}.
'use strict';

var c = require('./common');
var events = require('kue/lib/queue/events');

var params = c.params;
var queue = c.createQueue();
var seen = c.partial.seen = [];
var outcomes = c.partial.outcomes = {};
var mine = {};
var expect = params.expect || 0;

function outcome(kind) {
  return function(id) {
    if (!mine[id]) return;  // events of other processes on the prefix are not ours
    outcomes[id] = kind;
    if (Object.keys(outcomes).length >= expect) c.finish(queue, result());
  };
}

function result() {
  return { seen: seen, outcomes: outcomes, created: c.partial.created || [] };
}

function handler(job, done) {
  var made = Number(job._attempts) || 0;
  var data = job.data || {};
  mine[job.id] = true;
  seen.push({
    id: job.id,
    type: job.type,
    data: data,
    priority: job._priority,
    attempts_made: made,
    max_attempts: Number(job._max_attempts),
    created_at: Number(job.created_at),
    promote_at: Number(job.promote_at),
    failed_at: job.failed_at === undefined ? null : Number(job.failed_at),
    started_at: Number(job.started_at),
    delay: job._delay === undefined ? null : Number(job._delay),
    worker: 'node',
  });
  if ((data.fail_times || 0) > made) return done(new Error(data.message || 'boom'));
  var value = Object.prototype.hasOwnProperty.call(data, 'result')
    ? data.result
    : { handled_by: 'node', echo: data };
  done(null, value);
}

function whenSubscribed(fn) {
  (function check() {
    if (events.subscribed) return fn();
    setTimeout(check, 5);
  })();
}

queue.on('job complete', outcome('complete'));
queue.on('job failed', outcome('failed'));
whenSubscribed(function() {
  c.saveAll(queue, params.create || [], function(jobs) {
    c.partial.created = jobs.map(function(job) { return job.id; });
    if (expect === 0) return c.finish(queue, result());
    queue.process(params.type, params.concurrency || 1, handler);
  });
});
