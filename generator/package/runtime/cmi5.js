/* The only file that talks to a cmi5 LMS (xAPI over HTTP), shipped in cmi5 packages in place of
   scorm.js with the same CG.lms interface. CG.lms.ready: the launch URL, the one-time token fetch,
   LMS.LaunchData, learner preferences and the saved state, read before the course starts. Writes
   (statements, the state document) go through one ordered queue, retried with back-off, so each
   statement reaches the LMS once and in order. Leaving sends the rest and `terminated` with
   fetch(…, {keepalive: true}); hiding the page sends the rest likewise. Review and Browse
   launches send only `initialized` and `terminated` and leave the saved state alone. */
(function (CG) {
  'use strict';
  var ADL = 'http://adlnet.gov/expapi/', CMI5 = 'https://w3id.org/xapi/cmi5/';
  var CAT = CMI5 + 'context/categories/', EXT = CMI5 + 'context/extensions/';
  var INTERACTION = ADL + 'activities/cmi.interaction', EARNED = 'http://id.tincanapi.com/verb/earned';
  var KIND = { lesson: ['lessons', ADL + 'activities/lesson'], scenario: ['scenarios', ADL + 'activities/simulation'],
    quiz: ['quizzes', ADL + 'activities/assessment'] };
  var STATE_ID = 'coursegen.state'; // the AU's own state document; LMS.LaunchData belongs to the LMS
  var P = {}, actor = null, token = '', ld = {}, doc = { sent: {} }, said = null, held = null, course = null, lang = 'en';
  var live = false, normal = true, mastery = null, t0 = 0, prior = 0;
  var q = [], busy = 0, fails = 0, timer = 0, dead = false, key = '', mirror = null, learner = '';
  var notify = function () {};

  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    h = h.join('');
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-');
  }
  function secs() { return (Date.now() - t0) / 1000; }
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return 'PT' + (h ? h + 'H' : '') + (h || m ? m + 'M' : '') + (Math.round((s % 60) * 100) / 100) + 'S';
  }
  function words(text) { var o = {}; o[lang] = String(text).slice(0, 1000); return o; }
  function plain(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.textContent.replace(/\s+/g, ' ').trim();
  }
  function b36(n) { return n.toString(36); }
  function copy(o) { return JSON.parse(JSON.stringify(o || {})); }

  function xapi(path, params) {
    var base = P.endpoint.replace(/\/?$/, '/'), qs = [];
    for (var k in params) qs.push(k + '=' + encodeURIComponent(params[k]));
    return base + path + (qs.length ? '?' + qs.join('&') : '');
  }
  function stateUrl(id) {
    return xapi('activities/state', { stateId: id, activityId: P.activityId, agent: JSON.stringify(actor), registration: P.registration });
  }
  function http(method, to, body, keepalive) {
    var headers = { Authorization: token, 'X-Experience-API-Version': '1.0.3' };
    if (body != null) headers['Content-Type'] = 'application/json';
    return fetch(to, { method: method, headers: headers, body: body == null ? undefined : JSON.stringify(body),
      keepalive: !!keepalive, credentials: 'omit', cache: 'no-store' });
  }
  // A document the LMS may not have (404: null); a network or server failure is tried again.
  function read(to, tries) {
    return http('GET', to).then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text().then(function (t) { return t ? JSON.parse(t) : null; });
    }).catch(function (e) {
      if (!(tries > 1)) throw e;
      return new Promise(function (ok) { setTimeout(ok, 300); }).then(function () { return read(to, tries - 1); });
    });
  }

  // ---- statements ----
  // cmi5 defined statements (defined: true) are about the AU itself, with the cmi5 category and
  // `extra` context extensions; the others are cmi5 allowed, with `extra` activities in grouping.
  function statement(verb, object, result, defined, extra) {
    var ctx = copy(ld.contextTemplate), ca = ctx.contextActivities = ctx.contextActivities || {};
    ctx.registration = P.registration;
    if (defined) {
      // The template's values stay as the LMS wrote them; ours are only added.
      ca.category = (ca.category || []).concat({ id: CAT + 'cmi5' });
      if (result && (result.success != null || result.completion != null)) ca.category.push({ id: CAT + 'moveon' });
    } else {
      ca.parent = (ca.parent || []).concat({ id: P.activityId });
      if (extra) ca.grouping = (ca.grouping || []).concat(extra);
    }
    if (defined && extra) {
      ctx.extensions = ctx.extensions || {};
      for (var k in extra) ctx.extensions[k] = extra[k];
    }
    var s = { id: uuid(), timestamp: new Date().toISOString(), actor: actor,
      verb: { id: verb.indexOf(':') > 0 ? verb : ADL + 'verbs/' + verb, display: { 'en-US': verb.split('/').pop() } },
      object: defined ? { objectType: 'Activity', id: P.activityId } : object, context: ctx };
    if (result) s.result = result;
    return s;
  }
  function defined(verb, result, extra) { q.push({ st: statement(verb, null, result, true, extra) }); }
  function verdict(verb) {
    held[0].duration = duration(prior + secs());
    defined(verb, held[0], held[1]);
    doc.sent.verdict = said = verb;
    held = null;
    saveState();
  }
  function activity(id, type, name, more) {
    var d = { type: type, name: words(name) };
    for (var k in more || {}) d[k] = more[k];
    return { objectType: 'Activity', id: course.au + '/' + id, definition: d };
  }
  function moduleActivity(m) { return activity(KIND[m.kind][0] + '/' + m.id, KIND[m.kind][1], m.title); }

  // An engine record (the same one scorm.js turns into cmi.interactions) as an "answered" statement.
  function answered(r) {
    var at = r.id.split('__'), m = null, obj, res = {};
    course.modules.forEach(function (x) { if (x.id === at[0]) m = x; });
    if (!m) return;
    if (m.kind === 'quiz') {
      var qn = m.questions.filter(function (x) { return x.id === at[1]; })[0], t = r.type;
      // xAPI's formats are SCORM 2004's: "[,]" between items, "[.]" inside a pair.
      var fmt = function (v) {
        return t === 'true-false' ? String(v) : t === 'fill-in' ? String(v) : t === 'likert' ? b36(v)
          : t === 'matching' ? v.map(function (p) { return b36(p[0]) + '[.]' + b36(p[1]); }).join('[,]') : v.map(b36).join('[,]');
      };
      var list = function (items) { return items.map(function (o, k) { return { id: b36(k), description: words(plain(o.html)) }; }); };
      var def = { interactionType: t };
      if (r.pattern != null) def.correctResponsesPattern = [fmt(r.pattern)];
      if (r.patterns) def.correctResponsesPattern = r.patterns.map(fmt);
      if (t === 'choice' || t === 'sequencing') def.choices = list(qn.options);
      if (t === 'likert') def.scale = list(qn.options);
      if (t === 'matching') { def.source = list(qn.options); def.target = list(qn.targets); }
      obj = activity('quizzes/' + m.id + '/questions/' + qn.id, INTERACTION, r.desc, def);
      res = { response: fmt(r.resp) };
      if (t !== 'likert') res.score = { raw: r.points, min: 0, max: qn.points };
    } else if (m.kind === 'lesson') { // an attestation: the statement confirmed (or declined)
      obj = activity('lessons/' + m.id + '/attestation', INTERACTION, r.desc, { interactionType: 'true-false',
        correctResponsesPattern: ['true'] });
      res.response = String(r.resp);
    } else if (r.type === 'fill-in') { // the ending reached: one choice among the scenario's endings
      obj = activity('scenarios/' + m.id + '/ending', INTERACTION, m.title, { interactionType: 'choice',
        choices: m.nodes.filter(function (n) { return n.ending; }).map(function (n) { return { id: n.id, description: words(n.title) }; }) });
      res.response = r.resp;
    } else {
      var node = m.nodes.filter(function (n) { return n.id === at[1]; })[0];
      obj = activity('scenarios/' + m.id + '/nodes/' + node.id, INTERACTION, node.title, { interactionType: 'choice',
        choices: node.choices.map(function (c, k) { return { id: b36(k), description: words(c.text) }; }) });
      res.response = b36(r.resp[0]);
    }
    if (r.result !== 'neutral') res.success = r.result === 'correct';
    q.push({ st: statement('answered', obj, res, false, [moduleActivity(m)]) });
  }

  // ---- the ordered queue ----
  // Items: { st: statement } or { state: true } (the state document as it is when sent). `busy`
  // counts the items at the head that are in flight.
  var LIMIT = 63000; // bytes keepalive requests may carry, all told (64 KB, headers aside)
  function saveState() {
    doc.t = prior + secs();
    for (var i = busy; i < q.length; i++) if (q[i].state) q.splice(i--, 1);
    q.push({ state: true }); // last: it claims only what was queued before it
  }
  // The statements at the head of the queue that fit in one request, or the state document.
  function head() {
    if (q[0].state) return 1;
    for (var n = 0, size = 0; n < q.length && q[n].st && (size += JSON.stringify(q[n].st).length) < LIMIT; n++);
    return Math.max(1, n);
  }
  function send(items, keepalive) {
    return items[0].state ? http('PUT', stateUrl(STATE_ID), doc, keepalive)
      : http('POST', xapi('statements'), items.map(function (x) { return x.st; }), keepalive);
  }
  function pump() {
    clearTimeout(timer);
    timer = 0;
    if (busy || dead || !q.length) return;
    busy = head();
    send(q.slice(0, busy), false).then(function (r) {
      // 4xx but 408/429: the LMS refuses this request for good (409: it has these statements already);
      // retrying would block every later one.
      return r.ok || (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429);
    }, function () { return false; }).then(function (done) {
      var n = busy;
      busy = 0;
      if (dead) return;
      if (done) {
        q.splice(0, n);
        if (fails) notify(false);
        fails = 0;
        if (!q.length) store(true);
        return pump();
      }
      fails++;
      if (fails > 2) notify(true);
      timer = setTimeout(pump, Math.min(30000, 200 * Math.pow(2, fails - 1)));
    });
  }
  // What is still queued, in order, in keepalive requests that outlive the page; items in flight
  // go again (an LMS stores a statement id once). Keepalive requests carry 64 KB in all: past that,
  // the latest `answered` and `earned` statements are left out, never a cmi5 defined one.
  function flush(last) {
    var list = q.filter(function (x) { return x.st; }).map(function (x) { return x.st; }), out = [];
    var room = LIMIT - (q.some(function (x) { return x.state; }) ? JSON.stringify(doc).length : 0);
    if (last) list.push(last);
    for (var i = list.length - 1; i >= 0 && JSON.stringify(list).length > room; i--) {
      if (list[i].context.contextActivities.parent) list.splice(i, 1);
    }
    if (room < LIMIT) out.push(send([{ state: true }], true));
    if (list.length) out.push(http('POST', xapi('statements'), list, true));
    return out;
  }
  function onHidden() {
    if (document.visibilityState !== 'hidden' || !live || dead || !q.length) return;
    var sent = q.slice();
    Promise.all(flush()).then(function (rs) {
      if (dead || !rs.every(function (r) { return r.ok; })) return; // still queued: the pump goes on
      q = q.filter(function (x, i) { return i < busy || sent.indexOf(x) < 0; });
      if (!q.length) store(true);
    }, function () { /* still queued */ });
  }

  function store(ok) {
    if (!mirror) return;
    mirror.ok = ok;
    try { localStorage.setItem(key, JSON.stringify(mirror)); } catch (e) { /* storage off: nothing to mirror to */ }
  }

  function begin() {
    new URLSearchParams(location.search).forEach(function (v, k) { P[k] = v; });
    if (!(P.endpoint && P.fetch && P.actor && P.registration && P.activityId)) return Promise.resolve(); // no LMS: standalone
    return fetch(P.fetch, { method: 'POST', credentials: 'omit', cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (r) {
      if (!r['auth-token']) throw new Error('fetch: ' + (r['error-text'] || 'no auth-token'));
      token = 'Basic ' + r['auth-token'];
      actor = JSON.parse(P.actor);
      return read(stateUrl('LMS.LaunchData'), 3);
    }).then(function (data) {
      if (!data || !data.contextTemplate) throw new Error('no LMS.LaunchData');
      ld = data;
      var prefs = xapi('agents/profile', { agent: JSON.stringify(actor), profileId: 'cmi5LearnerPreferences' });
      return Promise.all([read(prefs, 3).catch(function () { return null; }), read(stateUrl(STATE_ID), 3)]);
    }).then(function (r) {
      CG.lms.preferences = r[0] || {}; // one language per course and no audio: nothing to switch yet
      if (r[1] && r[1].sent) doc = r[1];
      live = true;
    }).catch(function (e) { live = false; CG.lms.error = String(e && e.message || e); });
  }

  CG.lms = {
    ready: begin(),

    // -> { mode: 'lms' | 'none', version, resume, data, name, id, mirror, passMark }
    start: function (courseId) {
      course = JSON.parse(document.getElementById('course-data').textContent);
      lang = course.language || 'en';
      var acc = actor && actor.account || {};
      learner = live ? (acc.homePage || '') + '|' + (acc.name || actor.mbox || '') + '|' + P.registration : '';
      // Per registration: a reload (its fetch URL spent) resumes from here, without reporting.
      key = 'coursegen:' + courseId + (P.registration ? ':' + P.registration : '');
      var info = { mode: 'none', version: null, resume: false, data: '', name: '', id: learner, mirror: null, passMark: null };
      try { info.mirror = JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { info.mirror = null; }
      if (!live) return info;
      normal = !ld.launchMode || ld.launchMode === 'Normal';
      if (ld.masteryScore != null && isFinite(ld.masteryScore)) {
        mastery = +ld.masteryScore;
        info.passMark = Math.round(mastery * 10000) / 100; // the LMS's mastery score is the pass mark
      }
      info.mode = 'lms';
      info.version = 'cmi5';
      info.data = doc.s || '';
      info.resume = !!info.data;
      info.name = actor.name || '';
      prior = +doc.t || 0;
      t0 = Date.now();
      q.push({ st: statement('initialized', null, null, true) });
      pump();
      document.addEventListener('visibilitychange', onHidden);
      return info;
    },

    badges: function () { /* earned badges are statements of their own, sent as they are earned */ },

    // A checkpoint: s = { data, location, percent, completed, passed, rec: [...], earned: [badge ids] }.
    save: function (s) {
      mirror = { s: s.data, ok: false, u: learner };
      store(false);
      if (!live || dead || !normal) return;
      s.rec.forEach(answered);
      s.earned.forEach(function (id) {
        var b = course.badges.filter(function (x) { return x.id === id; })[0];
        q.push({ st: statement(EARNED, activity('badges/' + id, 'http://activitystrea.ms/schema/1.0/badge', b.title,
          { description: words(b.description || b.title) }), null, false) });
      });
      // completed, then passed or failed: once per registration, as soon as they hold.
      if (s.completed && !doc.sent.completed) {
        defined('completed', { completion: true, duration: duration(prior + secs()) });
        doc.sent.completed = true;
      }
      // One verdict a session (cmi5 9.3.0.0-3), never failed after passed (9.3.0.0-8): passed goes at
      // once; failed waits for leaving, so a learner who fails, then recovers from the results before
      // leaving is passed, and one who fails in a session and passes in a later one is passed too.
      if (s.completed && !said && doc.sent.verdict !== 'passed') {
        var scaled = s.percent / 100, res = { success: !!s.passed };
        // A score at or above the mastery score cannot go with "failed" (cmi5 9.3.5): the course
        // fails such a learner for a quiz not passed, and the LMS learns the verdict without a score.
        if (s.passed || mastery == null || scaled < mastery) res.score = { scaled: scaled, raw: s.percent, min: 0, max: 100 };
        var ext = {};
        if (mastery != null) ext[EXT + 'masteryscore'] = mastery;
        held = doc.sent.verdict === 'failed' && !s.passed ? null : [res, ext];
        if (s.passed) verdict('passed');
      }
      doc.s = s.data;
      doc.l = s.location;
      saveState();
      pump();
    },

    // Synchronous, once: from pagehide and beforeunload alike.
    finish: function () {
      if (!live || dead || !t0) return;
      dead = true;
      clearTimeout(timer);
      if (held) verdict('failed');
      doc.t = prior + secs();
      flush(statement('terminated', null, { duration: duration(secs()) }, true));
    },

    onNotice: function (fn) { notify = fn; },

    // Requests not yet confirmed by the LMS (for tests that wait before they look).
    pending: function () { return q.length; }
  };
})(window.CG = window.CG || {});
