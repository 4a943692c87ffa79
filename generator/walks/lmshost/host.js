/* The LMS stand-in: scorm-again as window.API (1.2) or window.API_1484_11 (2004), behind a
   wrapper that logs every call and can inject faults. The SCO runs in the iframe #sco.

   Query parameters:
     version=1.2|2004     (default 2004)
     launch=URL           the package's launch page (relative to this page or absolute)
     name=, id=           learner name / id (default "Doe, Jane" / "learner-1")
     fail=KIND:N[,KIND:N] every Nth call of KIND (setvalue|getvalue|commit|initialize|terminate)
                          answers "false" ("" for getvalue) with a general error, not forwarded
     slow=MS              every API call blocks for MS milliseconds (a slow synchronous LMS)
     absent=1             no API at all (standalone mode)
     preload=JSON         flattened CMI loaded before launch (e.g. {"cmi.entry": "resume", ...});
                          window.lmsPreload, set by an init script, does the same without URL limits

   Globals for tests:
     lmsLog        [{session, fn, args, ret, err, injected?}] every call, err = GetLastError after it
     lmsMessages   scorm-again's own log lines
     lms.cmi()     the data model as JSON ({cmi: {...}}); lms.flat() flattened;
                   lms.commitData() what scorm-again would send an LMS server (renderCommitCMI)
     lms.nextLaunch()  the flattened data an LMS would hand the next launch of this attempt
     lms.unload()  navigates the SCO frame away (pagehide fires); resolves when done
     lms.relaunch([data])  unloads, creates a fresh API from data (default nextLaunch()), launches again
     lms.ready     true once the SCO frame has loaded */
(function () {
  'use strict';
  var P = new URLSearchParams(location.search);
  var v12 = P.get('version') === '1.2';
  var slow = +P.get('slow') || 0;
  var fail = {};
  (P.get('fail') || '').split(',').forEach(function (f) {
    var kv = f.split(':');
    if (kv[0]) fail[kv[0].toLowerCase()] = +kv[1] || 1;
  });
  var METHODS = v12
    ? ['LMSInitialize', 'LMSFinish', 'LMSGetValue', 'LMSSetValue', 'LMSCommit', 'LMSGetLastError', 'LMSGetErrorString', 'LMSGetDiagnostic']
    : ['Initialize', 'Terminate', 'GetValue', 'SetValue', 'Commit', 'GetLastError', 'GetErrorString', 'GetDiagnostic'];
  var GENERAL = { setvalue: v12 ? '101' : '351', getvalue: v12 ? '101' : '301', commit: v12 ? '101' : '391',
    initialize: v12 ? '101' : '102', terminate: v12 ? '101' : '111' };
  var NAME = v12 ? 'cmi.core.student_name' : 'cmi.learner_name', ID = v12 ? 'cmi.core.student_id' : 'cmi.learner_id';

  var log = window.lmsLog = [];
  var messages = window.lmsMessages = [];
  var session = 0, real = null, counts = {};

  function settings() {
    return {
      lmsCommitUrl: false, autocommit: false, logLevel: 1,
      onLogMessage: function (level, msg) { messages.push({ session: session, level: level, msg: String(msg) }); }
    };
  }

  function kind(m) { return m.replace(/^LMS/, '').toLowerCase().replace('finish', 'terminate'); }

  function wrap(api) {
    var w = {}, fake = null;
    METHODS.forEach(function (m) {
      var k = kind(m), query = /error|diagnostic/.test(k);
      w[m] = function () {
        var args = [].slice.call(arguments), ret, injected = false;
        if (slow) for (var until = Date.now() + slow; Date.now() < until;) { /* block like a synchronous XHR */ }
        if (!query) fake = null;
        counts[k] = (counts[k] || 0) + 1;
        if (fail[k] && counts[k] % fail[k] === 0) {
          injected = true;
          fake = GENERAL[k];
          ret = k === 'getvalue' ? '' : 'false';
        } else if (k === 'getlasterror' && fake) {
          ret = fake;
        } else {
          ret = api[m].apply(api, args);
        }
        var entry = { session: session, fn: m, args: args, ret: String(ret), err: fake || String(api.lastErrorCode) };
        if (injected) entry.injected = true;
        log.push(entry);
        return ret;
      };
    });
    return w;
  }

  function create(data) {
    session++;
    counts = {};
    real = v12 ? new window.Scorm12API(settings()) : new window.Scorm2004API(settings());
    var d = {};
    d[NAME] = P.get('name') != null ? P.get('name') : 'Doe, Jane';
    d[ID] = P.get('id') != null ? P.get('id') : 'learner-1';
    for (var k in data || {}) d[k] = data[k];
    real.loadFromFlattenedJSON(d);
    var w = wrap(real);
    delete window.API;
    delete window.API_1484_11;
    if (P.get('absent') !== '1') window[v12 ? 'API' : 'API_1484_11'] = w;
  }

  function cmi() { return real.renderCMIToJSONObject(); }
  function flat() {
    var out = {};
    (function walk(o, path) {
      for (var k in o) {
        var v = o[k], p = path ? path + '.' + k : k;
        if (v !== null && typeof v === 'object') walk(v, p); else out[p] = v;
      }
    })(cmi(), '');
    return out;
  }

  // What an LMS keeps for the next launch: exit=suspend resumes the attempt with all its data;
  // any other exit ends it (2004: the next attempt starts from a fresh data model).
  function nextLaunch() {
    var f = flat(), exit = f[v12 ? 'cmi.core.exit' : 'cmi.exit'], out = {};
    if (exit !== 'suspend' && !v12) return out;
    for (var k in f) {
      if (/(^|\.)(_count|_children|session_time|total_time|exit|entry)$/.test(k) || f[k] === '' || f[k] == null) continue;
      out[k] = f[k];
    }
    out[v12 ? 'cmi.core.entry' : 'cmi.entry'] = exit === 'suspend' ? 'resume' : '';
    return out;
  }

  var frame;
  function go(url) {
    // A frame already emptied by unload() needs no second trip to about:blank.
    if (url === 'about:blank' && frame.getAttribute('src') === 'about:blank') return Promise.resolve(true);
    window.lms.ready = false;
    return new Promise(function (resolve) {
      frame.addEventListener('load', function once() {
        frame.removeEventListener('load', once);
        window.lms.ready = url !== 'about:blank';
        resolve(true);
      });
      frame.src = url;
    });
  }

  window.lms = {
    version: v12 ? '1.2' : '2004',
    ready: false,
    api: function () { return real; },
    cmi: cmi,
    flat: flat,
    commitData: function () { return real.renderCommitCMI(true); },
    nextLaunch: nextLaunch,
    session: function () { return session; },
    unload: function () { return go('about:blank'); },
    relaunch: function (data) {
      var d = data || nextLaunch();
      return go('about:blank').then(function () { create(d); return go(P.get('launch')); });
    }
  };

  var pre = window.lmsPreload || (P.get('preload') ? JSON.parse(P.get('preload')) : null);
  create(pre);
  document.addEventListener('DOMContentLoaded', function () {
    frame = document.getElementById('sco');
    if (P.get('launch')) go(P.get('launch'));
  });
})();
