// Runs Node Kue's timers on the prefix for params.ms: a queue processing a type no job has,
// which starts Kue's promoter and its TTL checker (every promotion_interval_ms; the checker
// fails every job past its TTL in `P:jobs:active` that no Kue worker acks within a second).
// Prints {"heard": [[event, id], ...]}: the TTL events any process announced meanwhile.
'use strict';

var c = require('./common');

var queue = c.createQueue();
var heard = [];
['job ttl exceeded', 'job failed attempt', 'job failed'].forEach(function(name) {
  queue.on(name, function(id) { heard.push([name, String(id)]); });
});
queue.process(c.params.type || 'nothing-here', function(job, done) { done(); });
setTimeout(function() { c.finish(queue, { heard: heard }); }, c.params.ms || 2000);
