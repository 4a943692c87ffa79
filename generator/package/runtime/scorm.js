/* The only file that talks to the LMS (SCORM 1.2 `API` or 2004 `API_1484_11`).
   CG.lms, the interface an adapter for another standard (cmi5) offers too:
     start(courseId, prefer) -> { mode: 'lms'|'none', version, resume, data, name, id, mirror }
     badges([{ id, earned }])  one objective per badge
     save(s)   after every step; s = { data, location, percent, completed, passed, rec: [interaction],
               earned: [badge id], checkpoint: a module was just finished }
     finish()  the learner leaves: synchronous, once (player.js calls it on pagehide and beforeunload)
     onNotice(fn)  fn(true) while the LMS refuses writes, fn(false) once they succeed again

   Values are set at every step; a Commit (a blocking round trip to the LMS's server) only when
   it matters: a module finished, HEARTBEAT after an unsaved change, the page hidden. Leaving is
   Terminate alone: it commits, by beacon in real LMSs, and Chromium refuses beacons past 64 KiB
   in flight, so no Commit goes just before it. 2004 players post the whole record on every
   write (~120 bytes of field name and framing per element, the value aside), so in 2004 a
   scenario play (its decisions and its ending) is one interaction, a question one, each only
   id, type, response, result and pattern (r.desc serves adapters that do not); none is written
   once the record would pass RECORD_MAX bytes; status, score and resume state always are.
   RECORD_MAX keeps the final write within bench/'s 62 KiB (docs/course-json.md).

   Writes go through one ordered queue: a failed SetValue/Commit stops it and is retried with
   back-off, so interaction indices stay contiguous and nothing is lost. The state is mirrored
   to localStorage so a reload after an LMS failure resumes. */
(function (CG) {
  'use strict';
  var HEARTBEAT = 30000, RECORD_MAX = 60000, FIELD = 92;
  var EL = {
    '1.2': { entry: 'cmi.core.entry', data: 'cmi.suspend_data', loc: 'cmi.core.lesson_location', name: 'cmi.core.student_name',
      id: 'cmi.core.student_id', status: 'cmi.core.lesson_status', exit: 'cmi.core.exit', time: 'cmi.core.session_time', score: 'cmi.core.score.' },
    '2004': { entry: 'cmi.entry', data: 'cmi.suspend_data', loc: 'cmi.location', name: 'cmi.learner_name',
      id: 'cmi.learner_id', status: 'cmi.completion_status', exit: 'cmi.exit', time: 'cmi.session_time', score: 'cmi.score.' }
  };
  var api = null, ver = null, E = null, live = false, dead = false, t0 = Date.now();
  var q = [], sent = {}, unsaved = false, wanted = false, fails = 0, retryTimer = 0, beatTimer = 0;
  var size = {}, record = 0;
  var nInt = 0, nObj = 0, objIx = {}, key = '', mirror = null, learner = '', notify = function () {};

  // ADL's discovery: up the parent chain (cross-origin frames throw), then from the opener.
  function walk(w, name) {
    for (var n = 0; w && n <= 500; n++) {
      try {
        if (w[name]) return w[name];
        if (!w.parent || w.parent === w) return null;
        w = w.parent;
      } catch (e) { return null; }
    }
    return null;
  }
  function find(name) {
    var r = walk(window, name);
    try { if (!r && window.opener) r = walk(window.opener, name); } catch (e) { r = null; }
    return r;
  }

  function call(fn) {
    if (!api || dead) return '';
    if (ver === '1.2') fn = 'LMS' + (fn === 'Terminate' ? 'Finish' : fn);
    try { return String(api[fn].apply(api, [].slice.call(arguments, 1))); } catch (e) { return 'false'; }
  }
  function get(k) { return call('GetValue', k); }
  function setv(k, v) {
    if (call('SetValue', k, v) === 'true') return true;
    call('GetLastError'); // clears the error, keeps the LMS's log readable
    return false;
  }

  // Bytes an element takes in a player's post: its name, its value (UTF-8) and the form's framing.
  function cost(k, v) { return FIELD + k.length + encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, 'x').length; }

  function put(k, v) {
    v = String(v);
    record += cost(k, v) - (size[k] || 0);
    size[k] = cost(k, v);
    for (var i = 0; i < q.length; i++) if (q[i].k === k) { q[i].v = v; return; }
    if (sent[k] !== v) q.push({ k: k, v: v });
  }

  function store(ok) {
    if (!mirror) return;
    mirror.ok = ok;
    try { localStorage.setItem(key, JSON.stringify(mirror)); } catch (e) { /* storage off: nothing to mirror to */ }
  }

  function retry() {
    fails++;
    if (fails > 1) notify(true);
    retryTimer = setTimeout(flush, Math.min(30000, 500 * Math.pow(2, fails)));
    return false;
  }

  // Sets what is queued; commits when a commit was asked for, else makes sure one comes within
  // HEARTBEAT. final: the page is going away, so no retry later: try each write twice and go on.
  function flush(final) {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (!live) return false;
    var whole = true;
    for (; q.length; q.shift()) {
      var o = q[0];
      if (setv(o.k, o.v) || (final === true && setv(o.k, o.v))) { sent[o.k] = o.v; unsaved = true; }
      else if (final !== true) return retry();
      else whole = false;
    }
    if (final === true) return whole;
    if (wanted && unsaved) {
      if (call('Commit', '') !== 'true') { call('GetLastError'); return retry(); }
      unsaved = false;
      clearTimeout(beatTimer);
      beatTimer = 0;
      store(true);
    }
    wanted = false;
    if (unsaved && !beatTimer) beatTimer = setTimeout(function () { beatTimer = 0; commit(); }, HEARTBEAT);
    if (fails) notify(false);
    fails = 0;
    return true;
  }
  function commit() { wanted = true; return flush(); }

  function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }
  function sessionTime() {
    var cs = Math.round((Date.now() - t0) / 10), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60;
    var s = ((cs % 6000) / 100).toFixed(2);
    return ver === '1.2' ? pad(Math.min(h, 9999), 4) + ':' + pad(m, 2) + ':' + pad(s, 5) : 'PT' + h + 'H' + m + 'M' + s + 'S';
  }
  function clock() {
    var d = new Date();
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
  }
  // Each version's format (shared/scorm-notes.md §2): indices in base 36; 1.2 joins with "," and
  // pairs with ".", 2004 with "[,]" and "[.]". A typed answer is cut to what the element holds.
  function fmt(type, v) {
    var v12 = ver === '1.2', b = function (n) { return n.toString(36); };
    if (type === 'true-false') return v12 ? (v ? 't' : 'f') : String(v);
    if (type === 'fill-in') return String(v).replace(/\[[,.:]\]/g, ' ').slice(0, v12 ? 255 : 250);
    if (type === 'other') return v; // a scenario play's path, 2004 only (play below)
    if (type === 'likert') return b(v);
    if (type === 'matching') return v.map(function (p) { return b(p[0]) + (v12 ? '.' : '[.]') + b(p[1]); }).join(v12 ? ',' : '[,]');
    return v.map(b).join(v12 ? ',' : '[,]');
  }
  // A fill-in question's accepted answers, one pattern each (2004 holds at least five).
  function patterns(r, p, f) {
    (r.patterns || []).slice(0, 5).forEach(function (a, k) { f.push([p + 'correct_responses.' + k + '.pattern', fmt(r.type, a)]); });
  }
  // 2004: a scenario play as one "other" interaction "<scenario>__path", written at its ending:
  // its decisions "node.choice" (those the resume state keeps, "..." past them) and the ending,
  // with the ending's result. A play the learner leaves goes on after a relaunch, as one.
  function play(r) {
    if (r.node) return;
    interaction({ id: r.play + '__path', type: 'other', result: r.result,
      resp: r.path.concat(r.more ? ['...'] : [], [r.resp]).join(',') });
  }

  function interaction(r) {
    if (ver !== '1.2' && r.play) return play(r);
    var p = 'cmi.interactions.' + nInt + '.', f = [];
    if (ver === '1.2') {
      f.push([p + 'id', r.id], [p + 'type', r.type], [p + 'time', clock()]);
      if (r.weight != null) f.push([p + 'weighting', r.weight]); // an ending has no points at stake of its own
      if (r.pattern != null) f.push([p + 'correct_responses.0.pattern', fmt(r.type, r.pattern)]);
      patterns(r, p, f);
      f.push([p + 'student_response', fmt(r.type, r.resp)], [p + 'result', r.result]);
    } else {
      f.push([p + 'id', r.id], [p + 'type', r.type]); // id, then type, before any response (error 408 otherwise)
      if (r.pattern != null) f.push([p + 'correct_responses.0.pattern', fmt(r.type, r.pattern)]);
      patterns(r, p, f);
      f.push([p + 'learner_response', fmt(r.type, r.resp)], [p + 'result', r.result === 'wrong' ? 'incorrect' : r.result]);
      // An attestation keeps its moment and what was confirmed: what an auditor asks for.
      if (r.attest) f.push([p + 'timestamp', new Date().toISOString().slice(0, 22) + 'Z'], [p + 'description', String(r.desc).slice(0, 250)]);
      var more = 0;
      f.forEach(function (e) { more += cost(e[0], String(e[1])); });
      if (record + more > RECORD_MAX) return; // the final write must still fit one beacon
    }
    nInt++;
    f.forEach(function (e) { put(e[0], e[1]); });
  }

  function objective(id, earned) {
    var p = 'cmi.objectives.' + objIx[id] + '.';
    if (ver === '1.2') return put(p + 'status', earned ? 'passed' : 'incomplete');
    put(p + 'success_status', earned ? 'passed' : 'unknown');
    if (earned) put(p + 'completion_status', 'completed');
  }

  function finish() {
    if (!live || dead) return;
    put(E.time, sessionTime());
    var whole = flush(true);
    clearTimeout(beatTimer);
    clearTimeout(retryTimer);
    // Terminate commits (1.2's LMSFinish likewise): a Commit before it would be a second beacon.
    if (call('Terminate', '') === 'true' && whole) store(true);
    dead = true;
    live = false;
  }

  CG.lms = {
    start: function (courseId, prefer) {
      key = 'coursegen:' + courseId;
      var info = { mode: 'none', version: null, resume: false, data: '', name: '', id: '', mirror: null };
      try { info.mirror = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { info.mirror = null; }
      var order = prefer === '1.2' ? ['1.2', '2004'] : ['2004', '1.2'];
      for (var i = 0; i < 2 && !api; i++) { api = find(order[i] === '1.2' ? 'API' : 'API_1484_11'); ver = order[i]; }
      if (!api || call('Initialize', '') !== 'true') { api = null; ver = null; return info; }
      live = true;
      E = EL[ver];
      info.mode = 'lms';
      info.version = ver;
      info.resume = get(E.entry) === 'resume';
      // 2004 answers 403 for never-set elements, so read them only when resuming; 1.2 answers "".
      if (info.resume || ver === '1.2') info.data = get(E.data);
      info.name = get(E.name);
      info.id = learner = get(E.id);
      var status = get(E.status);
      if (status === 'not attempted' || status === 'unknown' || status === '') put(E.status, 'incomplete');
      nInt = +get('cmi.interactions._count') || 0;
      nObj = +get('cmi.objectives._count') || 0;
      for (var k = 0; k < nObj; k++) objIx[get('cmi.objectives.' + k + '.id')] = k;
      put(E.exit, 'suspend');
      document.addEventListener('visibilitychange', function () {
        if (document.visibilityState === 'hidden' && live) commit();
      });
      return info;
    },

    badges: function (list) {
      if (!live) return;
      list.forEach(function (b) {
        if (objIx[b.id] != null) return;
        objIx[b.id] = nObj++;
        put('cmi.objectives.' + objIx[b.id] + '.id', b.id);
        objective(b.id, b.earned);
      });
    },

    save: function (s) {
      mirror = { s: s.data, ok: false, u: learner };
      store(false);
      if (!live) return;
      s.rec.forEach(interaction);
      s.earned.forEach(function (id) { objective(id, true); });
      put(E.data, s.data);
      if (s.location) put(E.loc, s.location);
      if (s.percent != null) {
        put(E.score + 'min', 0);
        put(E.score + 'max', 100);
        put(E.score + 'raw', s.percent);
        if (ver !== '1.2') put(E.score + 'scaled', s.percent / 100);
      }
      if (s.completed) {
        if (ver === '1.2') put(E.status, s.passed ? 'passed' : 'failed');
        else { put(E.status, 'completed'); put('cmi.success_status', s.passed ? 'passed' : 'failed'); }
      }
      put(E.exit, s.completed ? (ver === '1.2' ? '' : 'normal') : 'suspend');
      if (s.checkpoint) commit(); else flush();
    },

    finish: finish,

    onNotice: function (fn) { notify = fn; }
  };
})(window.CG = window.CG || {});
