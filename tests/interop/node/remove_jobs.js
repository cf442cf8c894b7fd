// Remove jobs with Node Kue's own Job#remove: params.ids. Kue deletes the hash, the log and
// the sorted-set entries, and knows nothing of kueport's search index. Prints
// {"removed": [ids]}, in the order of the ids.
'use strict';

var c = require('./common');

var queue = c.createQueue();
var Job = c.kue.Job;
var removed = [];

(function next(i) {
  var ids = c.params.ids || [];
  if (i >= ids.length) return c.finish(queue, { removed: removed });
  Job.get(ids[i], function(err, job) {
    if (err) return c.fail('get failed: ' + err);
    job.remove(function(removeErr) {
      if (removeErr) return c.fail('remove failed: ' + removeErr);
      removed.push(ids[i]);
      next(i + 1);
    });
  });
})(0);
