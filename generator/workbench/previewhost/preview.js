/* The preview shell: an LMS around the course (scorm-again, as SCORM 1.2 or 2004), a
   long poll that relaunches the course after every rebuild or lays its errors over it,
   and an inspector showing what the LMS has received. The course runs in #course and
   finds the API in this window, exactly as it would in an LMS.

   Test hooks: window.preview = { scorm, build, launches, log, ready }, the
   data-problem / data-interaction / data-objective attributes of the panels, and #place-note. */
(function () {
  'use strict';
  var SCORM_KEY = 'coursegen-preview:scorm', SAVED_KEY = 'coursegen-preview:saved';
  var EL = {
    '1.2': { entry: 'cmi.core.entry', exit: 'cmi.core.exit', loc: 'cmi.core.lesson_location',
      name: 'cmi.core.student_name', id: 'cmi.core.student_id', response: 'student_response' },
    '2004': { entry: 'cmi.entry', exit: 'cmi.exit', loc: 'cmi.location',
      name: 'cmi.learner_name', id: 'cmi.learner_id', response: 'learner_response' }
  };
  var $ = function (s) { return document.querySelector(s); };
  var P = window.preview = { scorm: localStorage.getItem(SCORM_KEY) === '1.2' ? '1.2' : '2004',
    build: null, launches: 0, log: [], ready: false };
  var real = null, frame, queue = Promise.resolve(), drawPending = false;

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (c) { if (c != null) e.append(c); });
    return e;
  }

  // ---- the LMS: scorm-again behind a wrapper that logs every call ----
  function createApi(data) {
    var v12 = P.scorm === '1.2', E = EL[P.scorm];
    real = v12 ? new window.Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 5 })
      : new window.Scorm2004API({ lmsCommitUrl: false, autocommit: false, logLevel: 5 });
    var d = {};
    d[E.name] = 'Author, Preview';
    d[E.id] = 'preview';
    Object.keys(data || {}).forEach(function (k) { d[k] = data[k]; });
    real.loadFromFlattenedJSON(d);
    var methods = v12 ? ['LMSInitialize', 'LMSFinish', 'LMSGetValue', 'LMSSetValue', 'LMSCommit', 'LMSGetLastError', 'LMSGetErrorString', 'LMSGetDiagnostic']
      : ['Initialize', 'Terminate', 'GetValue', 'SetValue', 'Commit', 'GetLastError', 'GetErrorString', 'GetDiagnostic'];
    var api = {}, mine = real;
    methods.forEach(function (m) {
      api[m] = function () {
        var args = [].slice.call(arguments), ret = mine[m].apply(mine, args);
        P.log.push({ session: P.launches, fn: m, args: args, ret: String(ret) });
        if (P.log.length > 20000) P.log.splice(0, 10000); // a long session must not grow without bound
        if (/SetValue|Commit|Finish|Terminate|Initialize/.test(m)) draw();
        return ret;
      };
    });
    delete window.API;
    delete window.API_1484_11;
    window[v12 ? 'API' : 'API_1484_11'] = api;
  }

  function flat() {
    var out = {};
    (function walk(o, path) {
      Object.keys(o).forEach(function (k) {
        var v = o[k], p = path ? path + '.' + k : k;
        if (v !== null && typeof v === 'object') walk(v, p); else out[p] = v;
      });
    })(real ? real.renderCMIToJSONObject() : {}, '');
    return out;
  }
  function cmi() { return real ? real.renderCMIToJSONObject().cmi : {}; }

  // What an LMS hands the next launch of this attempt (exit=suspend resumes with all its data).
  function nextLaunch() {
    var f = flat(), E = EL[P.scorm], out = {};
    if (f[E.exit] !== 'suspend') return out;
    Object.keys(f).forEach(function (k) {
      if (/(^|\.)(_count|_children|session_time|total_time|exit|entry)$/.test(k) || f[k] === '' || f[k] == null) return;
      out[k] = f[k];
    });
    out[E.entry] = 'resume';
    return out;
  }
  // Only the learner's place, in the element names of `version`.
  function resumeData(version, data, location) {
    var E = EL[version], out = {};
    if (!data) return out;
    out[E.entry] = 'resume';
    out['cmi.suspend_data'] = data;
    if (location) out[E.loc] = location;
    return out;
  }

  function go(url) {
    return new Promise(function (resolve) {
      frame.addEventListener('load', function once() { frame.removeEventListener('load', once); resolve(); });
      frame.src = url;
    });
  }

  // Everything the learner did, or at least where they are, for the next launch.
  function keepPlace() {
    var next = nextLaunch(), f = flat();
    return Object.keys(next).length ? next : resumeData(P.scorm, f['cmi.suspend_data'], f[EL[P.scorm].loc]);
  }

  // Launches run one after another: the old SCO unloads (and terminates) before the next API
  // exists. `data` may be a function, read once the old SCO has written its last values; it may
  // return a promise of them.
  function launch(data, forgetMirror) {
    queue = queue.then(function () {
      P.ready = false;
      return go('about:blank').then(function () {
        if (forgetMirror && P.build && P.build.course) localStorage.removeItem('coursegen:' + P.build.course.id);
        return typeof data === 'function' ? data() : data;
      }).then(function (values) {
        createApi(values);
        P.launches++;
        draw();
        return go('/course/index.html?v=' + P.build.version);
      }).then(function () { P.ready = true; draw(); });
    });
    return queue;
  }

  // After an edit the saved progress no longer fits (a node renamed, a choice added): instead of
  // starting over, the server finds the nearest place that is still there, and the note says so.
  function relocated(oldKey) {
    return function () {
      var place = flat()[EL[P.scorm].loc] || '';
      var url = '/__preview/relocate?key=' + encodeURIComponent(oldKey) + '&from=' + encodeURIComponent(place);
      return fetch(url, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (answer) {
        if (answer.error) return keepPlace();
        localStorage.removeItem('coursegen:' + P.build.course.id); // the runtime's mirror holds the old place
        placeNote(answer.note);
        return resumeData(P.scorm, answer.data, answer.location);
      }, keepPlace);
    };
  }
  function placeNote(text) {
    var note = $('#place-note');
    note.hidden = !text;
    $('#place-note-text').textContent = text || '';
  }

  // ---- builds: long poll, relaunch on a good build, overlay on errors ----
  function poll() {
    var since = P.build ? P.build.version : -1;
    fetch('/__preview/status?since=' + since, { cache: 'no-store' }).then(function (r) { return r.json(); })
      .then(function (next) {
        $('#offline').hidden = true;
        if (!P.build || next.version !== P.build.version) apply(next);
        poll();
      }, function () {
        $('#offline').hidden = false;
        setTimeout(poll, 1500);
      });
  }

  function apply(next) {
    var first = !P.build, hadCourse = P.build && P.build.course;
    var oldKey = hadCourse ? P.build.course.stateKey : null;
    P.build = next;
    showProblems(next.problems.filter(function (p) { return p.severity === 'error'; }), next.ok);
    showWarnings(next.problems.filter(function (p) { return p.severity === 'warning'; }));
    fillJump(next.scenarios);
    if (next.course) {
      $('#course-title').textContent = next.course.title;
      document.title = next.course.title + ' \u2013 coursegen preview';
    }
    if (!next.ok) return;
    if (first || !hadCourse) {
      var saved = readSaved();
      if (!fromHash()) launch(saved && saved.scorm === P.scorm ? saved.data : {});
    } else if (next.course.stateKey !== oldKey) {
      launch(relocated(oldKey));
    } else {
      placeNote('');
      launch(keepPlace); // the same structure: the runtime resumes exactly there
    }
  }

  function showProblems(errors, ok) {
    var pill = $('#build-state');
    pill.className = 'pill ' + (ok ? 'ok' : 'bad');
    pill.textContent = ok ? 'built \u00b7 v' + P.build.version : errors.length + (errors.length === 1 ? ' error' : ' errors');
    $('#problems').hidden = ok;
    if (ok) return;
    $('#problems-title').textContent = errors.length + (errors.length === 1 ? ' error' : ' errors') + ' in the course';
    $('#problem-list').replaceChildren.apply($('#problem-list'), errors.map(function (p) {
      return el('li', { 'data-problem': p.file + ':' + p.line + ':' + p.column }, [
        el('p', null, [el('code', { 'class': 'where', text: p.file + ':' + p.line + ':' + p.column }), ' ',
          el('span', { 'class': 'msg', text: p.message })]),
        p.excerpt ? el('pre', { 'class': 'code', text: excerpt(p) }) : null
      ]);
    }));
  }

  // The author's line with a caret under the column; a long line is cut around the column.
  function excerpt(p) {
    var text = p.excerpt, col = Math.max(1, p.column), cut = col > 70 ? col - 40 : 0;
    if (cut) text = '\u2026' + text.slice(cut);
    if (text.length > 110) text = text.slice(0, 110) + '\u2026';
    var pad = (cut ? col - cut : col - 1);
    return String(p.line).padStart(5) + ' | ' + text + '\n      | ' + ' '.repeat(pad) + '^';
  }

  function showWarnings(list) {
    $('#warnings-section').hidden = !list.length;
    $('#warnings').replaceChildren.apply($('#warnings'), list.map(function (p) {
      return el('li', { 'data-warning': '' }, [el('code', { text: p.file + ':' + p.line + ':' + p.column }), ' ' + p.message]);
    }));
  }

  // ---- jump to a node, from the form or from a map link (#node=SCENARIO/NODE&flags=a,b) ----
  function fillJump(scenarios) {
    var select = $('#jump-node'), keep = select.value;
    select.replaceChildren.apply(select, scenarios.map(function (s) {
      return el('optgroup', { label: s.title }, s.nodes.map(function (n) {
        var mark = n.ending ? ' [' + n.ending + ' ending]' : '';
        return el('option', { value: s.id + '/' + n.id, text: n.title + ' (#' + n.id + ')' + mark });
      }));
    }));
    if (keep && select.querySelector('option[value="' + CSS.escape(keep) + '"]')) select.value = keep;
    $('#jump button').disabled = !scenarios.length || !P.build.ok;
    fillFlags();
  }
  function scenarioOf(value) {
    var id = (value || '').split('/')[0];
    return (P.build ? P.build.scenarios : []).filter(function (s) { return s.id === id; })[0];
  }
  function fillFlags(checked) {
    var s = scenarioOf($('#jump-node').value), box = $('#jump-flags');
    var was = checked || [].slice.call(box.querySelectorAll('input:checked')).map(function (i) { return i.value; });
    box.replaceChildren(el('legend', { text: s && s.flags.length ? 'Flags set' : 'Flags set (this scenario has none)' }));
    (s ? s.flags : []).forEach(function (f) {
      var input = el('input', { type: 'checkbox', value: f, id: 'flag-' + f, 'data-flag': f });
      input.checked = was.indexOf(f) >= 0;
      box.append(el('label', { 'for': 'flag-' + f }, [input, ' ' + f]));
    });
  }
  function jump(target, flags) {
    var parts = target.split('/');
    var url = '/__preview/jump?scenario=' + encodeURIComponent(parts[0]) + '&node=' + encodeURIComponent(parts[1]) +
      '&flags=' + encodeURIComponent(flags.join(','));
    return fetch(url, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (answer) {
      $('#jump-note').textContent = answer.error || 'Jumped to ' + target + (flags.length ? ' with ' + flags.join(', ') : '') + '.';
      if (!answer.error) return launch(resumeData(P.scorm, answer.data, answer.location), true);
    });
  }
  function fromHash() {
    var h = new URLSearchParams(location.hash.slice(1)), target = h.get('node');
    if (!target || !P.build || !P.build.ok) return false;
    var flags = (h.get('flags') || '').split(',').filter(Boolean);
    $('#jump-node').value = target;
    fillFlags(flags);
    history.replaceState(null, '', location.pathname + location.search); // a reload keeps the place, not the jump
    jump(target, flags);
    return true;
  }

  // ---- the inspector ----
  function draw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(function () { drawPending = false; render(); });
  }
  function fact(dl, name, value) {
    dl.append(el('dt', { text: name }), el('dd', { text: value === '' || value == null ? '\u2014' : String(value) }));
  }
  function render() {
    var c = cmi(), v12 = P.scorm === '1.2', core = c.core || {}, score = (v12 ? core.score : c.score) || {};
    document.querySelectorAll('[data-scorm]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.scorm === P.scorm)); });
    $('#api-version').textContent = '(SCORM ' + P.scorm + ', launch ' + P.launches + ')';
    var dl = $('#status');
    dl.replaceChildren();
    if (v12) fact(dl, 'lesson_status', core.lesson_status);
    else { fact(dl, 'completion_status', c.completion_status); fact(dl, 'success_status', c.success_status); }
    fact(dl, 'score.raw', score.raw);
    if (!v12) fact(dl, 'score.scaled', score.scaled);
    fact(dl, v12 ? 'lesson_location' : 'location', v12 ? core.lesson_location : c.location);
    fact(dl, 'API calls', P.log.filter(function (e) { return e.session === P.launches; }).length + ' this launch');

    var data = c.suspend_data || '', limit = P.build && P.build.course ? P.build.course.limit12 : 4096;
    var worst = P.build && P.build.course ? P.build.course.worstCase : null;
    var meter = $('#suspend-meter');
    meter.setAttribute('aria-valuenow', data.length);
    meter.firstElementChild.style.width = Math.min(100, data.length * 100 / limit) + '%';
    meter.classList.toggle('over', worst != null && worst > limit);
    $('#suspend-size').textContent = data.length + ' of ' + limit + ' characters (SCORM 1.2 limit)' +
      (worst != null ? ' \u00b7 worst case ' + worst + (worst > limit ? ': too big for SCORM 1.2' : '') : '');
    $('#suspend-data').textContent = data || '(empty)';

    var rows = Object.keys(c.interactions || {}).sort(function (a, b) { return a - b; }).map(function (k) {
      var i = c.interactions[k], r = i.result;
      return el('tr', { 'data-interaction': i.id }, [el('td', { text: k }), el('td', { text: i.id }),
        el('td', { text: i[EL[P.scorm].response] }), el('td', { 'class': 'r-' + r, text: r }), el('td', { text: i.weighting })]);
    });
    $('#interactions tbody').replaceChildren.apply($('#interactions tbody'), rows);
    $('#interaction-count').textContent = '(' + rows.length + ')';
    var objectives = Object.keys(c.objectives || {}).map(function (k) {
      var o = c.objectives[k], status = v12 ? o.status : o.success_status + ' / ' + o.completion_status;
      return el('tr', { 'data-objective': o.id }, [el('td', { text: o.id }), el('td', { text: status })]);
    });
    $('#objectives tbody').replaceChildren.apply($('#objectives tbody'), objectives);
    saveForReload();
  }

  // A reload of this page (or a visit to the map and back) keeps the learner's place.
  function saveForReload() {
    var d = cmi().suspend_data;
    if (d) sessionStorage.setItem(SAVED_KEY, JSON.stringify({ scorm: P.scorm, data: resumeData(P.scorm, d, flat()[EL[P.scorm].loc]) }));
  }
  function readSaved() {
    try { return JSON.parse(sessionStorage.getItem(SAVED_KEY) || 'null'); } catch (e) { return null; }
  }

  // ---- the toolbar ----
  function switchScorm(version) {
    if (version === P.scorm || !P.build || !P.build.ok) return;
    var old = P.scorm;
    P.scorm = version;
    localStorage.setItem(SCORM_KEY, version);
    launch(function () { // the learner's place carries over; the rest is a new LMS
      var f = flat();
      return resumeData(version, f['cmi.suspend_data'], f[EL[old].loc]);
    });
  }
  function reset() {
    sessionStorage.removeItem(SAVED_KEY);
    placeNote('');
    if (P.build && P.build.ok) launch({}, true);
  }

  document.addEventListener('DOMContentLoaded', function () {
    frame = $('#course');
    document.querySelectorAll('[data-scorm]').forEach(function (b) {
      b.addEventListener('click', function () { switchScorm(b.dataset.scorm); });
    });
    $('#reset').addEventListener('click', reset);
    $('#place-note button').addEventListener('click', function () { placeNote(''); });
    $('#jump-node').addEventListener('change', function () { fillFlags(); });
    $('#jump').addEventListener('submit', function (e) {
      e.preventDefault();
      var flags = [].slice.call(document.querySelectorAll('#jump-flags input:checked')).map(function (i) { return i.value; });
      jump($('#jump-node').value, flags);
    });
    window.addEventListener('hashchange', fromHash);
    render();
    poll();
  });
})();
