// Save jobs with Node Kue, in order: params.jobs = [{type, data, priority, attempts, delay,
// backoff, ttl, removeOnComplete}]. Prints {"ids": [...], "jobs": [toJSON of each]}.
'use strict';

var c = require('./common');

var queue = c.createQueue();
c.saveAll(queue, c.params.jobs || [], function(jobs) {
  c.finish(queue, {
    ids: jobs.map(function(job) { return job.id; }),
    jobs: jobs.map(function(job) { return job.toJSON(); }),
  });
});
