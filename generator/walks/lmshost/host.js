/* The LMS stand-in: scorm-again as window.API (1.2) or window.API_1484_11 (2004), behind a
   wrapper that logs every call and can inject faults. The SCO runs in the iframe #sco, a new
   one each launch.

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
     profile=moodle       an LMS that behaves like Moodle 4.4's SCORM player (default: plain scorm-again):
                          - the mastery score comes from the package's manifest, as Moodle reads it
                            (1.2 adlcp:masteryscore -> cmi.student_data.mastery_score, applied over the
                            status at LMSFinish; 2004 every objective's minNormalizedMeasure, 1.0 when
                            absent -> cmi.scaled_passing_score, from which scorm-again derives success at
                            Terminate: stricter than Moodle 4.4, whose derivation misspells the element,
                            and what a spec-following LMS does), and the primary objective is pre-filled
                            as cmi.objectives.0;
                          - every Commit posts the data model to the server (/lms-store/commit) as
                            Moodle's player does (2004: the whole record, see moodleTransport), by a
                            synchronous request; Terminate by navigator.sendBeacon, and so does a Commit
                            while the learner leaves (Moodle switches to beacons on the unload events);
                          - Chromium refuses a beacon once 64 KiB are in flight: the call then answers
                            false, as Moodle's does. What the LMS holds is what reached the server
                            (lms.stored()), and the next launch of the attempt gets that.

   Globals for tests:
     lmsLog        [{session, fn, args, ret, err, injected?}] every call, err = GetLastError after it
     lmsMessages   scorm-again's own log lines
     lms.cmi()     the data model as JSON ({cmi: {...}}); lms.flat() flattened;
                   lms.commitData() what scorm-again would send an LMS server (renderCommitCMI)
     lms.nextLaunch()  the flattened data an LMS would hand the next launch of this attempt
     lms.unload()  removes the SCO's frame (its document unloads: pagehide fires); resolves when done
     lms.stored()  (profile=moodle) what reached the LMS server: {arrivals: this session's writes
                   [{kind, via, bytes, accepted, seq}], record: the attempt's data, flattened,
                   cmi: the same nested like lms.cmi()}
     lmsBeacons    [{session, bytes, ok}] every navigator.sendBeacon of this page and its answer
                   (bytes null for form data: the server's arrivals have the size)
     lms.relaunch([data])  unloads, creates a fresh API from data, launches again: without data the same
                   attempt resumes from nextLaunch(), with data a new attempt starts
     lms.ready     true once the SCO frame has loaded */
(function () {
  'use strict';
  var P = new URLSearchParams(location.search);
  var v12 = P.get('version') === '1.2';
  var moodle = P.get('profile') === 'moodle';
  var host = Math.random().toString(36).slice(2, 10); // this page's sessions on the LMS server
  var unloading = false;
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
  var beacons = window.lmsBeacons = [];
  var session = 0, attempt = 0, real = null, counts = {}, seq = 0;

  var sendBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = function (url, data) {
    var ok = sendBeacon(url, data);
    beacons.push({ session: session, bytes: data instanceof Blob ? data.size : typeof data === 'string' ? data.length : null, ok: ok });
    return ok;
  };

  function settings() {
    var s = {
      lmsCommitUrl: false, autocommit: false, logLevel: 1,
      onLogMessage: function (level, msg) { messages.push({ session: session, level: level, msg: String(msg) }); }
    };
    if (moodle) {
      // Every Commit and Terminate goes to the server; scorm-again renders the whole record and
      // applies the mastery score first, the transport below sends it as Moodle would.
      s.lmsCommitUrl = '/lms-store/commit?host=' + host + '&attempt=' + attempt + '&session=' + session;
      s.sendFullCommit = true;
      s.useAsynchronousCommits = false;
      s.mastery_override = true;
    }
    return s;
  }

  // Moodle's player posts the data model itself (mod/scorm/datamodels/scorm_12.js, scorm_13.js,
  // request.js), and that is what this profile sends, in Moodle's encoding, so sizes are Moodle's:
  // one field per element (dots written "__"); read-only elements never; 2004 every element that
  // differs from its value at launch (the whole record, interactions included, on every write);
  // 1.2 only what changed since the last write; total_time at Terminate. A Commit is a synchronous
  // form post; Terminate, and any write while unloading or after a failed post, a beacon of
  // multipart form data (Chromium refuses it once 64 KiB are in flight).
  var READ_ONLY = v12
    ? /^cmi\.(core\.(student_id|student_name|credit|entry|lesson_mode|total_time)|launch_data|student_data\..*|comments_from_lms)$|\._(count|children)$/
    : /^cmi\.(_version|completion_threshold|credit|entry|launch_data|learner_id|learner_name|max_time_allowed|mode|scaled_passing_score|time_limit_action|total_time|comments_from_lms\..*)$|\._(count|children)$/;
  function generic(k) {
    if (/status$/.test(k) && /objectives/.test(k)) return v12 ? 'not attempted' : 'unknown';
    if (/^cmi\.(completion|success)_status$/.test(k)) return 'unknown';
    if (/learner_preference\.(audio_level|delivery_speed)$/.test(k)) return '1';
    if (/learner_preference\.audio_captioning$/.test(k)) return '0';
    return '';
  }
  function flatten(o, path, out) {
    for (var k in o) {
      var v = o[k], p = path ? path + '.' + k : k;
      if (v !== null && typeof v === 'object') flatten(v, p, out); else if (v != null) out[p] = String(v);
    }
    return out;
  }
  function moodleTransport(api, launch) {
    var posted = {};
    for (var k in launch) if (v12 || !/\.\d+\./.test(k)) posted[k] = String(launch[k]);
    api.processHttpRequest = function (url, params, terminate) {
      var now = flatten(params, '', {}), fields = [], time = v12 ? 'cmi.core.total_time' : 'cmi.total_time';
      Object.keys(now).forEach(function (k) {
        if (READ_ONLY.test(k) || now[k] === (k in posted ? posted[k] : generic(k))) return;
        fields.push([k, now[k]]);
        if (v12) posted[k] = now[k]; // 1.2 sends changes only
      });
      if (terminate && now[time]) fields.push([time, now[time]]);
      var ok = post(fields, url, terminate, terminate || unloading);
      if (ok === null) ok = post(fields, url, terminate, true); // Moodle's fallback when a synchronous post throws
      return { result: ok ? 'true' : 'false', errorCode: ok ? 0 : 101 };
    };
  }
  function post(fields, url, terminate, beacon) {
    var to = url + '&kind=' + (terminate ? 'terminate' : 'commit') + '&via=' + (beacon ? 'beacon' : 'xhr') + '&seq=' + seq++;
    var key = function (k) { return k.replace(/\./g, '__'); };
    if (beacon) {
      var form = new FormData();
      fields.forEach(function (f) { form.append(key(f[0]), f[1]); });
      form.append('unloading', '1');
      return navigator.sendBeacon(to, form);
    }
    var xhr = new XMLHttpRequest();
    try {
      xhr.open('POST', to, false);
      xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
      xhr.send(fields.map(function (f) { return key(f[0]) + '=' + encodeURIComponent(f[1]); }).join('&'));
    } catch (e) { return null; }
    return xhr.status === 200;
  }

  // What Moodle hands the SCO from the manifest (mod/scorm/datamodels/scormlib.php, scorm_13lib.php).
  function fromManifest() {
    // A learner's attempt in normal mode, for credit: the case where Moodle applies a mastery score.
    var out = v12 ? { 'cmi.core.credit': 'credit', 'cmi.core.lesson_mode': 'normal' } : { 'cmi.credit': 'credit', 'cmi.mode': 'normal' };
    var xhr = new XMLHttpRequest();
    try {
      xhr.open('GET', new URL('imsmanifest.xml', new URL(P.get('launch'), location.href)).href, false);
      xhr.send();
    } catch (e) { return out; }
    if (xhr.status !== 200) return out;
    var doc = new DOMParser().parseFromString(xhr.responseText, 'application/xml');
    var all = function (name) { return [].slice.call(doc.getElementsByTagNameNS('*', name)); };
    if (v12) {
      var mastery = all('masteryscore')[0];
      if (mastery && mastery.textContent.trim() !== '') out['cmi.student_data.mastery_score'] = mastery.textContent.trim();
      return out;
    }
    var n = 0;
    all('primaryObjective').concat(all('objective')).forEach(function (o) {
      var min = o.getElementsByTagNameNS('*', 'minNormalizedMeasure')[0];
      var measure = min ? (min.textContent.trim() || '0') : '1.0';
      if (parseFloat(measure)) out['cmi.scaled_passing_score'] = measure;
      if (o.getAttribute('objectiveID')) out['cmi.objectives.' + n++ + '.id'] = o.getAttribute('objectiveID');
    });
    return out;
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

  // resumed: the same attempt goes on (a new session of it); otherwise a new attempt starts.
  function create(data, resumed) {
    session++;
    if (!resumed) attempt++;
    counts = {};
    unloading = false;
    real = v12 ? new window.Scorm12API(settings()) : new window.Scorm2004API(settings());
    var d = moodle ? fromManifest() : {};
    d[NAME] = P.get('name') != null ? P.get('name') : 'Doe, Jane';
    d[ID] = P.get('id') != null ? P.get('id') : 'learner-1';
    for (var k in data || {}) d[k] = data[k];
    real.loadFromFlattenedJSON(d);
    if (moodle) moodleTransport(real, d);
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

  // What reached the LMS server: this session's writes, and the attempt's record (profile=moodle).
  function stored() {
    var xhr = new XMLHttpRequest();
    var sent = beacons.filter(function (b) { return b.session === session && b.ok; }).length;
    xhr.open('GET', '/lms-store/stored?host=' + host + '&attempt=' + attempt + '&session=' + session + '&beacons=' + sent, false);
    xhr.send();
    var s = JSON.parse(xhr.responseText), nested = {};
    s.arrivals = s.arrivals.filter(function (a) { return +a.session === session; });
    Object.keys(s.record).forEach(function (k) {
      var o = nested, parts = k.split('.');
      parts.slice(0, -1).forEach(function (p) { o = o[p] = o[p] || {}; });
      o[parts[parts.length - 1]] = s.record[k];
    });
    s.cmi = nested.cmi || {};
    return s;
  }

  // What an LMS keeps for the next launch: exit=suspend resumes the attempt with all its data;
  // any other exit ends it (2004: the next attempt starts from a fresh data model). Moodle keeps
  // what reached its server, total time included (it adds each session's time at Terminate).
  function nextLaunch() {
    var f = moodle ? stored().record : flat(), exit = f[v12 ? 'cmi.core.exit' : 'cmi.exit'], out = {};
    if (exit !== 'suspend' && !v12) return out;
    var skip = moodle ? /(^|\.)(_count|_children|_version|session_time|exit|entry|scaled_passing_score|mastery_score)$/
      : /(^|\.)(_count|_children|session_time|total_time|exit|entry)$/;
    for (var k in f) {
      if (skip.test(k) || f[k] === '' || f[k] == null) continue;
      out[k] = f[k];
    }
    out[v12 ? 'cmi.core.entry' : 'cmi.entry'] = exit === 'suspend' ? 'resume' : '';
    return out;
  }

  // The SCO's frame: a new one each launch, removed when the learner leaves. Removing it unloads
  // the SCO's document as closing the LMS player's window does (pagehide, then unload), and
  // spares every walk a navigation to about:blank (about 4 % of a walk's CPU).
  var frame = null;
  function leave() {
    window.lms.ready = false;
    if (frame) frame.remove();
    frame = null;
    return Promise.resolve(true);
  }
  function open(url) {
    leave();
    return new Promise(function (resolve) {
      var f = frame = document.createElement('iframe');
      f.id = 'sco';
      f.title = 'Course';
      f.addEventListener('load', function once() {
        f.removeEventListener('load', once);
        window.lms.ready = frame === f;
        resolve(true);
      });
      f.src = url;
      document.body.appendChild(f);
    });
  }

  window.lms = {
    version: v12 ? '1.2' : '2004',
    profile: moodle ? 'moodle' : 'scorm-again',
    ready: false,
    api: function () { return real; },
    cmi: cmi,
    flat: flat,
    commitData: function () { return real.renderCommitCMI(true); },
    nextLaunch: nextLaunch,
    session: function () { return session; },
    stored: stored,
    // Leaving, as a learner leaves Moodle's player: the LMS switches to beacons first.
    unload: function () { unloading = true; return leave(); },
    relaunch: function (data) {
      unloading = true;
      return leave().then(function () {
        var d = data || nextLaunch();
        create(d, !data && Object.keys(d).length > 0);
        return open(P.get('launch'));
      });
    }
  };

  var pre = window.lmsPreload || (P.get('preload') ? JSON.parse(P.get('preload')) : null);
  create(pre);
  document.addEventListener('DOMContentLoaded', function () {
    if (P.get('launch')) open(P.get('launch'));
  });
})();
