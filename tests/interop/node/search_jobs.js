// Kue's search as its JSON API runs it (`GET /job/search?q=`: reds' query over the
// `<prefix>:search` index), and optionally saves params.jobs first with search enabled
// (Kue's `disableSearch: false`), as create_jobs.js does.
// Prints {"ids": [ids saved], "found": [ids Kue's search returns for params.q, as strings]}.
'use strict';

var c = require('./common');
var reds = require('reds');

var queue = c.createQueue({ disableSearch: false });
reds.createClient = require('kue/lib/redis').createClient;  // as Kue's getSearch() does
var search = reds.createSearch(queue.client.getKey('search'));

c.saveAll(queue, c.params.jobs || [], function(jobs) {
  var ids = jobs.map(function(job) { return job.id; });
  if (!c.params.q) return c.finish(queue, { ids: ids, found: [] });
  search.query(c.params.q).end(function(err, found) {
    if (err) return c.fail('search failed: ' + err);
    c.finish(queue, { ids: ids, found: found });
  });
});
