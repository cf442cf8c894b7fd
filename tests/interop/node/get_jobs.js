// Read jobs with Node Kue's Job.get: params.ids. Prints {"jobs": [toJSON + "logs" | {id,
// error}]}, in the order of the ids.
'use strict';

var c = require('./common');

var queue = c.createQueue();
var Job = c.kue.Job;
var out = [];

(function next(i) {
  var ids = c.params.ids || [];
  if (i >= ids.length) return c.finish(queue, { jobs: out });
  Job.get(ids[i], function(err, job) {
    if (err) {
      out.push({ id: ids[i], error: String(err && err.message || err) });
      return next(i + 1);
    }
    Job.log(ids[i], function(logErr, logs) {
      var json = job.toJSON();
      json.logs = logErr ? { error: String(logErr) } : logs;
      out.push(json);
      next(i + 1);
    });
  });
})(0);
