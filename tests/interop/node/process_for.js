// A Node Kue worker that processes params.type (concurrency params.concurrency, default 1)
// for params.ms milliseconds, with Kue's promoter running every params.promotion_interval_ms
// (common.js), then shuts down. Each run completes after params.work_ms (default 0).
// Prints {"runs": [job ids, one per run, in run order]}.
'use strict';

var c = require('./common');
var events = require('kue/lib/queue/events');

var params = c.params;
var queue = c.createQueue();
var runs = c.partial.runs = [];

function whenSubscribed(fn) {
  (function check() {
    if (events.subscribed) return fn();
    setTimeout(check, 5);
  })();
}

whenSubscribed(function() {
  queue.process(params.type, params.concurrency || 1, function(job, done) {
    runs.push(job.id);
    setTimeout(function() { done(null, { handled_by: 'node' }); }, params.work_ms || 0);
  });
  setTimeout(function() { c.finish(queue, { runs: runs }); }, params.ms);
});
