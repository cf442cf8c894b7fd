// Listen to job events on P:events with Node Kue.
// * queue-level: every name in params.queue_events (e.g. "job complete") is recorded as
//   [name, id, ...args];
// * job-level: params.create specs are saved by this process, and every event of
//   params.job_events on those Job objects is recorded per id as [name, ...args].
// Prints {"ready": true, "ids": [...]} once subscribed and saved (the caller waits for that
// line), then finishes when params.expect queue events whose name is in params.stop_on have
// arrived and every created job got its job-level "complete" or "failed".
// Prints {"queue_events": [...], "job_events": {id: [...]}, "ids": [...]}.
'use strict';

var c = require('./common');
var events = require('kue/lib/queue/events');

var params = c.params;
var queue = c.createQueue();
var queueEvents = c.partial.queue_events = [];
var jobEvents = c.partial.job_events = {};
var stopOn = params.stop_on || ['job complete', 'job failed'];
var ids = [];
var settled = {};

function check() {
  var stops = queueEvents.filter(function(e) { return stopOn.indexOf(e[0]) >= 0; }).length;
  var allSettled = ids.every(function(id) { return settled[id]; });
  if (stops >= (params.expect || 0) && allSettled) {
    c.finish(queue, { queue_events: queueEvents, job_events: jobEvents, ids: ids });
  }
}

(params.queue_events || []).forEach(function(name) {
  queue.on(name, function() {
    queueEvents.push([name].concat([].slice.call(arguments)));
    check();
  });
});

(function waitSubscribed() {
  if (!events.subscribed) return setTimeout(waitSubscribed, 5);
  var specs = params.create || [];
  var jobs = specs.map(function(spec) { return c.buildJob(queue, spec); });
  jobs.forEach(function(job) {
    (params.job_events || []).forEach(function(name) {
      job.on(name, function() {
        (jobEvents[job.id] = jobEvents[job.id] || []).push([name].concat([].slice.call(arguments)));
      });
    });
    ['complete', 'failed'].forEach(function(name) {
      job.on(name, function() {  // after the recording listener: both see the event
        settled[job.id] = true;
        check();
      });
    });
  });
  (function save(i) {
    if (i >= jobs.length) {
      c.emit({ ready: true, ids: ids });
      return check();
    }
    jobs[i].save(function(err) {
      if (err) return c.fail('save failed: ' + err);
      ids.push(jobs[i].id);
      save(i + 1);
    });
  })(0);
})();
