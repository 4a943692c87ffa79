/* The learner's views and their wiring: reads the course JSON, restores or starts
   the state, renders one view at a time (test hooks of authoring-format.md §5) and
   reports every step through CG.lms. No English here: every word is a course label. */
(function (CG) {
  'use strict';
  var FORMAT_MIN = 1, FORMAT_CURRENT = 1;
  var ICON = { good: '\u2713', neutral: '\u25CB', bad: '\u2717' };
  var CAP = { good: 'Good', neutral: 'Neutral', bad: 'Bad' };
  var course, labels = {}, ms, eng, info, main, stage, ui = { cert: false };
  var hdr = {}, live, toasts, notices, dlg, learnerName = '';

  function L(k, vars) {
    var s = labels[k] != null ? String(labels[k]) : k;
    return s.replace(/\{(\w+)\}/g, function (m, n) { return vars && vars[n] != null ? vars[n] : m; });
  }
  function minus(n) { return n < 0 ? '\u2212' + -n : String(n); }
  function signed(n) { return n > 0 ? '+' + n : n < 0 ? minus(n) : '\u00B10'; }

  // Element builder: text is set as text, html (already sanitised by the compiler) as HTML.
  function h(tag, a, kids) {
    var e = document.createElement(tag);
    for (var k in a || {}) {
      var v = a[k];
      if (v == null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'html') e.innerHTML = v;
      else if (k === 'on') e.addEventListener('click', act(v));
      else e.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) { if (c || c === 0) e.appendChild(typeof c === 'object' ? c : document.createTextNode(c)); });
    return e;
  }
  function btn(action, text, fn, extra) {
    var a = { type: 'button', 'data-action': action, text: text, on: fn };
    for (var k in extra || {}) a[k] = extra[k];
    return h('button', a);
  }
  function ico(kind) { return h('span', { 'class': 'ico ' + kind, 'aria-hidden': 'true', text: ICON[kind] }); }
  function bar(label, frac) {
    var n = Math.round(frac * 100), fill = h('span');
    fill.style.width = n + '%';
    return h('div', { 'class': 'bar', role: 'progressbar', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': n }, [fill]);
  }
  function content(html) { return html ? h('div', { 'class': 'content', html: html }) : null; }
  function navRow(kids) { return h('div', { 'class': 'nav' }, kids); }

  // Any failure inside a handler leaves the current view usable and says so.
  function act(fn) {
    return function (e) {
      try { fn(e); } catch (err) { notice('error', L('errorRuntime'), err); }
    };
  }

  function notice(kind, text, err) {
    var old = notices.querySelector('[data-notice="' + kind + '"]');
    if (old) old.remove();
    var n = h('div', { 'class': 'notice ' + kind, 'data-notice': kind }, [
      h('p', { text: text }), err ? h('p', { 'class': 'detail', text: String(err && err.message || err) }) : null,
      btn('dismiss', L('dismiss'), function () { n.remove(); })
    ]);
    notices.appendChild(n);
  }

  // ---- chrome: header with points, percent, course progress, badge shelf ----
  function chrome() {
    document.body.textContent = '';
    hdr.pts = h('span', { 'class': 'num' });
    hdr.pct = h('span', { 'class': 'num', 'data-percent': '0' });
    hdr.badges = h('span', { 'class': 'count' });
    hdr.shelf = btn('shelf', L('badges'), openShelf, { 'aria-haspopup': 'dialog' });
    hdr.shelf.appendChild(hdr.badges);
    hdr.bar = h('div', { 'class': 'cbar' });
    stage = h('div', { 'class': 'stage' });
    live = h('div', { 'class': 'sr-only', 'aria-live': 'polite' });
    toasts = h('div', { 'class': 'toasts', role: 'status' });
    notices = h('div', { 'class': 'notices', role: 'status' });
    main = h('main', { id: 'main' }, [notices, stage]);
    dlg = h('dialog', { 'class': 'shelf', 'aria-labelledby': 'shelf-h' });
    dlg.addEventListener('close', function () { dlg.textContent = ''; hdr.shelf.focus(); });
    [
      h('a', { 'class': 'skip', href: '#main', text: L('skip') }),
      h('header', { 'class': 'top' }, [
        h('p', { 'class': 'ctitle', text: course.title }),
        h('div', { 'class': 'stats' }, [
          h('p', { 'class': 'points' }, [L('points') + ' ', hdr.pts]),
          h('p', { 'class': 'percent' }, [L('score') + ' ', hdr.pct, '%']),
          hdr.shelf
        ]),
        hdr.bar
      ]),
      main, live, toasts, dlg
    ].forEach(function (e) { document.body.appendChild(e); });
  }

  function stats() {
    var pts = String(eng.score()), pct = eng.percent(), got = earned().length;
    if (hdr.pts.textContent && hdr.pts.textContent !== pts) {
      hdr.pts.classList.remove('bump');
      void hdr.pts.offsetWidth; // restart the animation
      hdr.pts.classList.add('bump');
    }
    hdr.pts.textContent = pts;
    hdr.pct.textContent = pct;
    hdr.pct.setAttribute('data-percent', pct);
    hdr.badges.textContent = ' ' + got + '/' + course.badges.length;
    hdr.bar.replaceChildren(bar(L('courseProgress'), eng.progress().course));
  }

  function earned() {
    return course.badges.filter(function (b, i) { return CG.state.bit(eng.st.badges, i); });
  }
  function badgeList(list, got) {
    return h('ul', { 'class': 'badges' }, list.map(function (b) {
      return h('li', { 'class': 'badge' + (got ? '' : ' locked'), 'data-badge': got ? b.id : null }, [
        b.icon ? h('img', { src: b.icon, alt: '' }) : h('span', { 'class': 'star', 'aria-hidden': 'true', text: '\u2605' }),
        h('span', { 'class': 'bt', text: b.title }),
        h('span', { 'class': 'bd', text: b.description })
      ]);
    }));
  }
  function badgeSections(level) {
    var got = earned(), not = course.badges.filter(function (b) { return got.indexOf(b) < 0; });
    return [
      h(level, { text: L('badgesEarned') }), got.length ? badgeList(got, true) : h('p', { text: L('noBadges') }),
      not.length ? h(level, { text: L('badgesLocked') }) : null, not.length ? badgeList(not, false) : null
    ];
  }
  function openShelf() {
    dlg.replaceChildren.apply(dlg, [h('h2', { id: 'shelf-h', text: L('badges') })]
      .concat(badgeSections('h3'), [navRow([btn('close-shelf', L('close'), function () { dlg.close(); })])])
      .filter(Boolean));
    if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
  }

  function toast(b) {
    var t = h('div', { 'class': 'toast', 'data-toast': b.id }, [
      b.icon ? h('img', { src: b.icon, alt: '' }) : h('span', { 'class': 'star', 'aria-hidden': 'true', text: '\u2605' }),
      h('p', null, [h('strong', { text: L('badgeEarned') }), ' ' + b.title])
    ]);
    toasts.appendChild(t);
    setTimeout(function () { t.remove(); }, 5000);
  }

  // ---- views ----
  function view(name, attrs, title, kids) {
    var a = { 'class': 'view ' + name, 'data-view': name };
    for (var k in attrs || {}) a[k] = attrs[k];
    var hd = h('h1', { tabindex: '-1' }, title);
    return h('section', a, [kids[0], kids[1], hd].concat(kids.slice(2)));
  }
  function eyebrow(m, extra) { return h('p', { 'class': 'eyebrow' }, [h('span', { text: m.title }), extra ? h('span', { 'class': 'extra' }, extra) : null]); }
  function modBar() { return bar(L('moduleProgress'), eng.progress().module); }
  function attemptPts(n, delta) {
    return [h('span', { 'data-attempt-points': n, text: L('attemptPoints', { n: minus(n) }) }),
      delta != null ? h('span', { 'class': 'delta ' + (delta < 0 ? 'neg' : 'pos'), 'aria-hidden': 'true', text: signed(delta) }) : null];
  }

  function lessonView(m, x) {
    var pg = m.pages[x.p];
    return view('lesson', null, [pg.title], [
      eyebrow(m, [L('pageOf', { n: x.p + 1, total: m.pages.length })]), modBar(),
      content(pg.html),
      navRow([x.p > 0 ? btn('back', L('back'), function () { step(eng.back()); }) : null,
        btn('next', L('next'), function () { step(eng.next()); })])
    ]);
  }

  function nodeView(m, x, delta) {
    var node = m.nodes[x.n];
    return view('node', { 'data-node': node.id }, [node.title], [
      eyebrow(m, attemptPts(x.p, delta)), modBar(),
      content(node.html),
      h('h2', { 'class': 'ask', id: 'ask', text: L('choose') }),
      h('ul', { 'class': 'choices', 'aria-labelledby': 'ask' }, node.choices.map(function (c, i) {
        if (!eng.visible(c)) return null; // hidden, but the others keep their source number
        return h('li', null, [h('button', { type: 'button', 'data-choice': i, html: c.html || null, text: c.html ? null : c.text,
          on: function () { step(eng.choose(i)); } })]);
      }))
    ]);
  }

  function endingView(m, x, delta) {
    var node = m.nodes[x.n], got = eng.attemptScore();
    return view('ending', { 'data-node': node.id }, [node.title], [
      eyebrow(m, attemptPts(x.p, delta)), modBar(),
      h('p', { 'class': 'outcome ' + node.ending }, [ico(node.ending), ' ' + L('outcome' + CAP[node.ending])]),
      content(node.html),
      h('p', { 'class': 'sum', text: L('scenarioScore', { score: got, max: m.max }) }),
      x.b > got ? h('p', { 'class': 'sum', text: L('bestScore', { score: x.b, max: m.max }) }) : null,
      navRow([btn('replay', L('replay'), function () { step(eng.replay()); }),
        btn('next', L('next'), function () { step(eng.next()); })])
    ]);
  }

  function quizHead(i, m, x) {
    return eyebrow(m, m.attempts > 1 ? [L('attemptOf', { n: x.a, total: m.attempts })] : null);
  }

  function questionView(i, m, x) {
    var o = eng.order(i), q = m.questions[o.qs[x.q]], multi = q.type === 'multiple';
    var err = h('p', { 'class': 'err', id: 'q-err', role: 'alert' });
    var opts = o.opts[x.q].map(function (k) {
      return h('li', null, [h('label', null, [
        h('input', { type: multi ? 'checkbox' : 'radio', name: 'answer', value: k, 'data-option': q.id + ':' + k }),
        h('span', { html: q.options[k].html })
      ])]);
    });
    var form = h('form', { 'class': 'q', novalidate: true }, [
      h('fieldset', { 'aria-describedby': 'q-hint' }, [
        h('legend', { html: q.html }),
        h('p', { 'class': 'hint', id: 'q-hint', text: L(multi ? 'selectAll' : 'selectOne') }),
        h('ul', { 'class': 'opts' }, opts), err
      ]),
      navRow([h('button', { type: 'submit', 'data-action': 'submit', text: L('submit') })])
    ]);
    form.addEventListener('submit', act(function (e) {
      e.preventDefault();
      var mask = 0, inputs = form.querySelectorAll('input');
      [].forEach.call(inputs, function (inp) { if (inp.checked) mask += Math.pow(2, +inp.value); });
      if (!mask) { err.textContent = L('chooseAnswer'); inputs[0].focus(); return; }
      step(eng.answer(mask));
    }));
    return view('question', { 'data-question': q.id }, [L('questionOf', { n: x.q + 1, total: eng.nq(i) })],
      [quizHead(i, m, x), modBar(), x.q === 0 ? content(m.intro) : null, form]);
  }

  function feedbackView(i, m, x) {
    var o = eng.order(i), q = m.questions[o.qs[x.q]], bit = CG.state.bit, right = true, a = eng.attempt(i);
    q.options.forEach(function (op, k) { if (bit(x.l, k) !== !!op.correct) right = false; });
    var list = h('ul', { 'class': 'review' }, o.opts[x.q].map(function (k) {
      var mine = bit(x.l, k), ok = !!q.options[k].correct;
      return h('li', { 'class': (mine ? 'mine ' : '') + (ok ? 'right' : '') }, [
        ico(ok ? 'good' : mine ? 'bad' : 'none'), h('span', { html: q.options[k].html }),
        mine ? h('span', { 'class': 'tag', text: L('yourAnswer') }) : null,
        ok ? h('span', { 'class': 'tag', text: L('correctAnswer') }) : null
      ]);
    }));
    var retake = a.done && !a.finished;
    return view('feedback', { 'data-question': q.id, 'class': 'view feedback ' + (right ? 'good' : 'bad') },
      [ico(right ? 'good' : 'bad'), ' ' + L(right ? 'correct' : 'incorrect')], [
        quizHead(i, m, x), modBar(),
        h('div', { 'class': 'qtext', html: q.html }), list,
        content(q.explanation),
        h('p', { 'class': 'sum', text: L('pointsEarned', { n: right ? q.points : 0 }) }),
        a.done ? h('div', { 'class': 'attempt ' + (a.passed ? 'good' : 'bad') }, [
          h('h2', null, [ico(a.passed ? 'good' : 'bad'), ' ' + L(a.passed ? 'quizPassed' : 'quizFailed')]),
          h('p', { text: L('attemptScore', { percent: a.percent, passMark: m.passMark }) }),
          retake ? h('p', { text: L('attemptsLeft', { n: a.left }) }) : null
        ]) : null,
        navRow([btn('next', L(retake ? 'retake' : 'next'), function () { step(eng.next()); }, { 'data-retake': retake ? '' : null })])
      ]);
  }

  function resultsView() {
    var ok = eng.passedCourse(), rows = ms.map(function (m, i) {
      var res = m.kind === 'lesson' ? L('completed') : m.kind === 'quiz' ? L(eng.passed(i) ? 'quizPassed' : 'quizFailed')
        : L('outcome' + CAP[eng.outcome(i)]);
      return h('tr', null, [h('th', { scope: 'row', text: m.title }),
        h('td', { text: m.max ? eng.mscore(i) + '/' + m.max : '\u2013' }), h('td', { text: res })]);
    });
    return view('results', null, [L('resultsTitle')], [null, null,
      h('p', { 'class': 'verdict ' + (ok ? 'good' : 'bad') }, [ico(ok ? 'good' : 'bad'), ' ' + L(ok ? 'coursePassed' : 'courseFailed')]),
      h('p', { 'class': 'sum', text: L('resultsScore', { percent: eng.percent(), passMark: course.passMark }) }),
      h('div', { 'class': 'table' }, [h('table', null, [
        h('thead', null, [h('tr', null, [h('th', { scope: 'col', text: L('colModule') }),
          h('th', { scope: 'col', text: L('colScore') }), h('th', { scope: 'col', text: L('colResult') })])]),
        h('tbody', null, rows)])])
    ].concat(badgeSections('h2'), [
      ok ? navRow([btn('certificate', L('certificate'), function () { ui.cert = true; render(); })]) : null
    ]));
  }

  function certificateView() {
    var d = new Date().toLocaleDateString(course.language || undefined, { year: 'numeric', month: 'long', day: 'numeric' });
    return view('certificate', null, [L('certificateTitle')], [null, null,
      h('p', { text: L('certifies') }),
      h('p', { 'class': 'name', text: learnerName || L('learner') }),
      h('p', { text: L('hasCompleted') }),
      h('p', { 'class': 'course', text: course.title }),
      h('p', { text: L('version', { v: course.version }) }),
      h('p', { text: L('certScore', { percent: eng.percent() }) }),
      h('p', { text: L('date', { date: d }) }),
      earned().length ? badgeList(earned(), true) : null,
      navRow([btn('print', L('print'), function () { window.print(); }),
        btn('results', L('backToResults'), function () { ui.cert = false; render(); })])
    ]);
  }

  // ---- flow ----
  function render(delta) {
    var i = eng.st.cur, m = ms[i], x = eng.st.mods[i], sec;
    if (ui.cert) sec = certificateView();
    else if (i >= ms.length) sec = resultsView();
    else if (m.kind === 'lesson') sec = lessonView(m, x);
    else if (m.kind === 'scenario') sec = (m.nodes[x.n].ending ? endingView : nodeView)(m, x, delta);
    else sec = (x.l != null ? feedbackView : questionView)(i, m, x);
    stats();
    stage.replaceChildren(sec);
    window.scrollTo(0, 0);
    var hd = sec.querySelector('h1');
    hd.focus();
    // Clear then set, so the same words are announced again.
    live.textContent = '';
    var say = hd.cloneNode(true);
    [].forEach.call(say.querySelectorAll('[aria-hidden]'), function (e) { e.remove(); });
    setTimeout(function () { live.textContent = (delta != null ? L('delta', { n: signed(delta) }) + ' ' : '') + say.textContent.trim(); }, 50);
  }

  var finishedBefore = -1;
  function save(r) {
    var i = eng.st.cur, m = ms[i], x = eng.st.mods[i], done = eng.completed();
    var finished = ms.filter(function (mod, k) { return eng.finished(k); }).length;
    CG.lms.save({
      data: CG.state.encode(course, eng.st),
      location: i < ms.length ? m.id + (m.kind === 'scenario' ? '/' + m.nodes[x.n].id : '') : null,
      // Sent only once complete: a 2004 LMS with a passing score derives success from any score.
      percent: done ? eng.percent() : null,
      completed: done,
      passed: eng.passedCourse(),
      rec: r.rec,
      earned: r.got.map(function (b) { return course.badges[b].id; }),
      checkpoint: finishedBefore >= 0 && finished !== finishedBefore // a module was finished: worth a commit
    });
    finishedBefore = finished;
  }

  function step(r) {
    save(r);
    r.got.forEach(function (b) { toast(course.badges[b]); });
    render(r.delta);
  }

  function check() {
    if (!(course.format >= FORMAT_MIN && course.format <= FORMAT_CURRENT)) {
      throw new Error(L('errorFormat', { format: course.format, min: FORMAT_MIN, max: FORMAT_CURRENT }));
    }
    ms = course.modules;
    course.badges = course.badges || [];
    course.badges.forEach(function (b) { if (b.when != null) CG.expr.check(b.when, ms.length); });
    ms.forEach(function (m) {
      if (m.kind === 'quiz') {
        if (m.passMark == null) m.passMark = course.passMark;
        m.attempts = m.attempts || 1;
      }
      (m.nodes || []).forEach(function (n) { n.choices.forEach(function (c) { if (c['if'] != null) CG.expr.check(c['if'], ms.length); }); });
    });
  }

  // Which saved state to trust: the LMS's, unless the mirror holds a newer one the LMS never confirmed.
  function savedData() {
    var mir = info.mirror;
    if (info.mode !== 'lms') return mir && mir.s || '';
    if (mir && mir.s && mir.ok === false && mir.u === info.id) return mir.s;
    return info.data;
  }

  function boot() {
    try {
      course = JSON.parse(document.getElementById('course-data').textContent);
      labels = course.labels || {};
      check();
      document.documentElement.lang = course.language || document.documentElement.lang;
      info = CG.lms.start(course.id, document.documentElement.getAttribute('data-scorm'));
      if (info.passMark != null) course.passMark = info.passMark; // the LMS's mastery score rules (cmi5)
      var n = info.name.split(','); // LMSs send "Last, First"
      learnerName = (n.length === 2 ? n[1].trim() + ' ' + n[0].trim() : info.name).trim();
      var data = savedData(), st = data ? CG.state.decode(course, data) : null;
      eng = CG.engine(course, st);
      var restarted = !!data && !(st && eng.consistent());
      if (restarted) eng = CG.engine(course, null);
      CG.lms.badges(course.badges.map(function (b, i) { return { id: b.id, earned: CG.state.bit(eng.st.badges, i) }; }));
      chrome();
      CG.lms.onNotice(function (on) {
        var n = notices.querySelector('[data-notice="save"]');
        if (on && !n) notice('save', L('noticeSaveFailed'));
        if (!on && n) n.remove();
      });
      save({ rec: [], got: [] });
      render();
      if (info.mode !== 'lms') notice('standalone', L('noticeStandalone'));
      if (restarted) notice('restart', L('noticeRestart'));
      var end = function () { CG.lms.finish(); };
      window.addEventListener('pagehide', end);
      window.addEventListener('beforeunload', end);
    } catch (e) {
      fatal(e);
    }
  }

  function fatal(e) {
    try { CG.lms.finish(); } catch (x) { /* already reporting a failure */ }
    var msg = labels.errorStartup || 'This course could not be started.';
    document.body.textContent = '';
    document.body.appendChild(h('main', { id: 'main', 'class': 'fatal' }, [
      h('section', { 'class': 'view', role: 'alert' }, [h('h1', { text: msg }), h('p', { text: String(e && e.message || e) })])
    ]));
  }

  // An adapter that must ask the LMS before the course starts (cmi5, over HTTP) sets CG.lms.ready.
  function begin() { if (CG.lms.ready) CG.lms.ready.then(boot, boot); else boot(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
  else begin();
})(window.CG = window.CG || {});
