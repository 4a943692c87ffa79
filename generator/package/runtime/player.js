/* The learner's views and their wiring: reads the course JSON, restores or starts
   the state, renders one view at a time (test hooks of authoring-format.md §6) and
   reports every step through CG.lms. No English here: every word is a course label. */
(function (CG) {
  'use strict';
  var FORMAT_MIN = 1, FORMAT_CURRENT = 3;
  var ICON = { good: '\u2713', neutral: '\u25CB', bad: '\u2717' };
  var CAP = { good: 'Good', neutral: 'Neutral', bad: 'Bad' };
  var course, labels = {}, ms, eng, info, main, stage, numbers, percents, plurals;
  // What lives only while the page is open: the cover, a lesson reread, the certificate,
  // the moment after a choice (shown once, on the view it leads to).
  var ui = { cert: false, cover: false, reread: null, moment: null, typed: null };
  var hdr = {}, live, notices, dlg, learnerName = '';
  // Plain strings a review build left in the source language (course.untranslated), by text.
  var foreign = {};

  // A word of the course's language: its {values} filled, numbers written as the language
  // writes them; a word with plural forms ({one: …, other: …}) takes the form {n} asks for.
  function L(k, vars) {
    var w = labels[k] != null ? labels[k] : k;
    if (typeof w === 'object') w = w[plurals.select(vars && vars.n)] || w.other || '';
    return String(w).replace(/\{(\w+)\}/g, function (m, n) {
      var v = vars && vars[n];
      return v == null ? m : typeof v === 'number' ? num(v) : v;
    });
  }
  // A typographic minus, as the number's own sign (−5, not -5).
  function num(n) {
    return numbers.formatToParts(n).map(function (p) { return p.type === 'minusSign' ? p.value.replace('-', '\u2212') : p.value; }).join('');
  }
  function pc(n) { return percents.format(n / 100); }
  // Points in words: "+10 points", "No points", "−5 points" (never a green ±0).
  function pts(n) { return L(n === 0 ? 'pointsNone' : n > 0 ? 'pointsPlus' : 'pointsMinus', { n: Math.abs(n) }); }
  // Isolated, so a signed number reads right inside a line of the other direction.
  function ptsTag(n) { return h('bdi', { 'class': 'pts ' + (n > 0 ? 'plus' : n < 0 ? 'minus' : 'zero'), text: pts(n) }); }

  // Element builder: text is set as text, html (already sanitised by the compiler) as HTML.
  function h(tag, a, kids) {
    var e = document.createElement(tag);
    for (var k in a || {}) {
      var v = a[k];
      if (v == null || v === false) continue;
      if (k === 'text') { e.textContent = v; if (foreign[v]) marked(e, foreign[v]); }
      else if (k === 'html') e.innerHTML = v;
      else if (k === 'on') e.addEventListener('click', act(v));
      else e.setAttribute(k, v === true ? '' : v);
    }
    (kids || []).forEach(function (c) {
      if (c || c === 0) e.appendChild(typeof c === 'object' ? c : foreign[c] ? h('span', { text: c }) : document.createTextNode(c));
    });
    return e;
  }
  // Its own language, so a screen reader switches voice, and its own direction.
  function marked(e, lang) { e.setAttribute('lang', lang); e.setAttribute('dir', 'auto'); }
  function untranslated() {
    var list = course.untranslated || {};
    Object.keys(list).forEach(function (pointer) {
      var v = pointer.split('/').slice(1).reduce(function (o, k) {
        return o == null ? o : o[k.replace(/~1/g, '/').replace(/~0/g, '~')];
      }, course);
      if (typeof v === 'string' && v) foreign[v] = list[pointer];
    });
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
  // Author HTML; its tables learn their column names, to become cards on a phone.
  function content(html) {
    if (!html) return null;
    var d = h('div', { 'class': 'content', html: html });
    [].forEach.call(d.querySelectorAll('table'), cards);
    return d;
  }
  function cards(t) {
    var names = [].map.call(t.querySelectorAll('thead th'), function (th) {
      var n = th.textContent.trim();
      return n && /[\w)\]]$/.test(n) ? n + ':' : n; // "Score:", but "Can you post it?" as it is
    });
    t.classList.add('cards');
    [].forEach.call(t.querySelectorAll('tbody tr'), function (tr) {
      [].forEach.call(tr.children, function (td, k) { if (names[k]) td.setAttribute('data-label', names[k]); });
    });
    return t;
  }
  function navRow(kids) { return h('div', { 'class': 'nav' }, kids); }

  // Any failure inside a handler leaves the current view usable and says so.
  function act(fn) {
    return function (e) {
      try { fn(e); } catch (err) { notice('error', L('errorRuntime'), err); }
    };
  }

  // One line, and a 44 px button that takes it away.
  function notice(kind, text, err) {
    var old = notices.querySelector('[data-notice="' + kind + '"]');
    if (old) old.remove();
    var n = h('div', { 'class': 'notice ' + kind, 'data-notice': kind }, [
      // The detail is the program's own English, for whoever reads the report: marked as such.
      h('p', null, [text, err ? h('span', { 'class': 'detail', lang: 'en', dir: 'ltr', text: ' ' + String(err && err.message || err) }) : null]),
      btn('dismiss', '\u00D7', function () { n.remove(); }, { 'aria-label': L('dismiss') })
    ]);
    notices.appendChild(n);
  }

  // ---- chrome: one row of menu, title, points, badges; the course progress under it ----
  function chrome() {
    document.body.textContent = '';
    hdr.tally = h('p', { 'class': 'tally' });
    hdr.pct = h('span', { hidden: true, 'data-percent': '0' });
    hdr.badges = h('span', { 'class': 'count' });
    hdr.shelf = btn('shelf', '', openShelf, { 'aria-haspopup': 'dialog' });
    hdr.shelf.replaceChildren(h('span', { 'class': 'sr-only', text: L('badges') + ' ' }),
      h('span', { 'class': 'star', 'aria-hidden': 'true', text: '\u2605' }), hdr.badges);
    hdr.menu = btn('menu', L('menu'), openMenu, { 'aria-haspopup': 'dialog' });
    hdr.bar = h('div', { 'class': 'cbar' });
    stage = h('div', { 'class': 'stage' });
    live = h('div', { 'class': 'sr-only', 'aria-live': 'polite' });
    notices = h('div', { 'class': 'notices', role: 'status' });
    main = h('main', { id: 'main' }, [notices, stage]);
    dlg = h('dialog', { 'class': 'shelf', 'aria-labelledby': 'dlg-h' });
    dlg.addEventListener('close', function () { var back = dlg.back; dlg.textContent = ''; if (back) back.focus(); });
    [
      h('a', { 'class': 'skip', href: '#main', text: L('skip') }),
      h('header', { 'class': 'top' }, [
        h('div', { 'class': 'row' }, [hdr.menu, logo(), h('p', { 'class': 'ctitle', text: course.title }), hdr.tally, hdr.shelf]),
        hdr.bar, hdr.pct
      ]),
      main, live, dlg
    ].forEach(function (e) { document.body.appendChild(e); });
  }

  // The company's logo (a theme's), beside the course title it stands for: no text of its own.
  function logo() { return course.logo ? h('img', { 'class': 'logo', src: course.logo, alt: '' }) : null; }

  function stats() {
    var t = eng.tally(), pct = eng.percent(), text = L('tally', { score: t.got, n: t.max });
    if (hdr.tally.textContent && hdr.tally.textContent !== text) {
      hdr.tally.classList.remove('bump');
      void hdr.tally.offsetWidth; // restart the animation
      hdr.tally.classList.add('bump');
    }
    hdr.tally.textContent = t.max ? text : ''; // nothing to count before the first module with points
    hdr.pct.textContent = pct;
    hdr.pct.setAttribute('data-percent', pct);
    hdr.badges.textContent = ' ' + L('badgeCount', { n: earned().length, total: course.badges.length });
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
  // Badges earned by the step that led to this view, where it is read.
  function newBadges(got) {
    return got && got.length ? h('div', { 'class': 'earned' }, [h('h2', { text: L('badgeEarned') }), badgeList(got, true)]) : null;
  }

  // A dialog that opens at its heading (not at its last button) and gives focus back on close.
  function openDialog(title, kids, opener) {
    var hd = h('h2', { id: 'dlg-h', tabindex: '-1', text: title });
    dlg.replaceChildren.apply(dlg, [hd].concat(kids, [navRow([btn('close-dialog', L('close'), function () { dlg.close(); })])])
      .filter(Boolean));
    dlg.back = opener;
    if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
    dlg.scrollTop = 0;
    hd.focus();
  }
  function openShelf() { openDialog(L('badges'), badgeSections('h3'), hdr.shelf); }

  // The course menu: each module's state and time, and finished lessons to read again.
  function openMenu() {
    var left = 0, rows = ms.map(function (m, i) {
      var x = eng.st.mods[i], done = eng.finished(i), here = i === eng.st.cur;
      if (!done) left += m.minutes || 0;
      var state = m.kind === 'quiz' && done ? L(eng.passed(i) ? 'quizPassed' : 'quizFailed')
        : done ? L('completed') : here || x ? L('inProgress') : L('notStarted');
      return h('li', { 'class': here ? 'here' : null, 'aria-current': here ? 'step' : null }, [
        h('span', { 'class': 'mt', text: m.title }),
        h('span', { 'class': 'ms' }, [state, m.max && x ? ' \u00B7 ' + L('scoreOf', { n: eng.counted(i), max: m.max }) : null,
          m.minutes ? ' \u00B7 ' + L('minutes', { n: m.minutes }) : null]),
        m.kind === 'lesson' && done ? btn('reread', L('reread'), function () { dlg.close(); reread(i); }, { 'data-module': m.id }) : null
      ]);
    });
    openDialog(L('menu'), [h('ol', { 'class': 'menu' }, rows), left ? h('p', { text: L('timeLeft', { n: left }) }) : null], hdr.menu);
  }
  function reread(i) { ui.reread = { i: i, p: 0 }; render(); }

  // ---- views ----
  function view(name, attrs, title, kids, moment) {
    var a = { 'class': 'view ' + name, 'data-view': name };
    for (var k in attrs || {}) a[k] = attrs[k];
    var hd = h('h1', { tabindex: '-1' }, title);
    return h('section', a, [moment || null, kids[0], kids[1], hd].concat(kids.slice(2)));
  }
  function eyebrow(m, extra) { return h('p', { 'class': 'eyebrow' }, [h('span', { text: m.title }), extra ? h('span', { 'class': 'extra' }, extra) : null]); }
  function modBar() { return bar(L('moduleProgress'), eng.progress().module); }
  // Never below the score it stands beside: an attempt's points are shown floored at 0.
  function attemptPts(x) { var n = eng.attemptScore(); return [h('span', { 'data-attempt-points': n, text: L('attemptPoints', { n: n }) })]; }

  // What the learner chose, what came of it, its points, and any badge it earned.
  function momentBox(mo) {
    if (!mo) return null;
    return h('div', { 'class': 'moment' }, [
      h('p', { 'class': 'chosen' }, [h('span', { text: L('youChose') + ' ' }), h('q', { html: mo.c.html || null, text: mo.c.html ? null : mo.c.text })]),
      content(mo.c.consequence), h('p', null, [ptsTag(mo.c.points)]), newBadges(mo.got)
    ]);
  }

  function coverView() {
    var mins = 0, quizzes = ms.filter(function (m) { return m.kind === 'quiz'; });
    ms.forEach(function (m) { mins += m.minutes || 0; });
    var need = course.maxPoints ? L(quizzes.length ? 'passNeedsQuizzes' : 'passNeeds', { percent: pc(course.passMark), n: quizzes.length }) : null;
    return view('cover', null, [course.title], [null, null,
      course.description ? h('p', { 'class': 'lead', text: course.description }) : null,
      course.objectives && course.objectives.length ? h('h2', { text: L('objectives') }) : null,
      course.objectives && course.objectives.length ? h('ul', { 'class': 'objectives' }, course.objectives.map(function (o) { return h('li', { text: o }); })) : null,
      h('ul', { 'class': 'facts' }, [
        mins ? h('li', { text: L('aboutMinutes', { n: mins }) }) : null,
        h('li', { text: L('modulesCount', { n: ms.length }) }),
        need ? h('li', { text: need }) : null
      ]),
      navRow([btn('next', L('start'), function () { ui.cover = false; render(); })])
    ]);
  }

  // An attestation on a lesson's last page: one checkbox whose label is the statement.
  function attestBox(m) {
    var a = m.attest;
    return h('fieldset', { 'class': 'attest', 'aria-describedby': 'attest-hint' }, [
      h('legend', { text: L('attestTitle') }),
      h('p', { 'class': 'hint', id: 'attest-hint', text: L(a.required ? 'attestRequired' : 'attestOptional') }),
      h('label', null, [h('input', { type: 'checkbox', 'data-attest': m.id }), h('span', { html: a.html })]),
      h('p', { 'class': 'err', id: 'attest-err', role: 'alert' })
    ]);
  }
  function when(minute) {
    return new Date(minute * 60000).toLocaleString(course.language || undefined,
      { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  // A label around a moment: its words as text, the moment in a <time> element.
  function moment(key, minute) {
    return h('span', { 'class': 'attested-on' }, dated(L(key, { date: '\u0000' }),
      h('time', { datetime: new Date(minute * 60000).toISOString(), text: when(minute) })));
  }

  function lessonView(m, x, rereading) {
    var pg = m.pages[x.p], attest = !rereading && m.attest && x.p === m.pages.length - 1 ? attestBox(m) : null;
    var back = function () { if (rereading) { x.p--; render(); } else step(eng.back()); };
    var next = function () {
      if (attest) {
        var box = attest.querySelector('input'), r = eng.next(box.checked);
        if (!r) { attest.querySelector('.err').textContent = L('attestFirst'); box.focus(); return; }
        return step(r);
      }
      if (!rereading) return step(eng.next());
      if (x.p < m.pages.length - 1) x.p++;
      else ui.reread = null;
      render();
    };
    return view('lesson', null, [pg.title], [
      eyebrow(m, [L(rereading ? 'rereading' : 'pageOf', { n: x.p + 1, total: m.pages.length })]), rereading ? null : modBar(),
      content(pg.html), attest,
      navRow([x.p > 0 ? btn('back', L('back'), back) : null, btn('next', L(rereading && x.p === m.pages.length - 1 ? 'backToCourse' : 'next'), next)])
    ]);
  }

  function nodeView(i, m, x, mo) {
    var node = m.nodes[x.n];
    return view('node', { 'data-node': node.id }, [node.title], [
      eyebrow(m, attemptPts(x)), modBar(),
      content(node.html),
      h('h2', { 'class': 'ask', id: 'ask', text: L('choose') }),
      h('ul', { 'class': 'choices', 'aria-labelledby': 'ask' }, eng.order(i)[x.n].map(function (k) {
        var c = node.choices[k];
        if (!eng.visible(c)) return null; // hidden, but the others keep their source number
        return h('li', null, [h('button', { type: 'button', 'data-choice': k, html: c.html || null, text: c.html ? null : c.text,
          on: function () { ui.moment = { c: c }; step(eng.choose(k)); } })]);
      }))
    ], momentBox(mo));
  }

  function decisionList() {
    var list = eng.decisions(), more = eng.st.mods[eng.st.cur].more;
    if (!list.length) return [];
    return [h('h2', { text: L('yourDecisions') }), h('ol', { 'class': 'decisions' }, list.map(function (d) {
      return h('li', null, [
        h('p', { 'class': 'dn', text: d.node.title }),
        h('p', null, [h('q', { text: d.choice.text }), ' ', ptsTag(d.choice.points)]),
        d.best ? h('p', { 'class': 'better' }, [h('span', { text: L('betterMove') + ' ' }), h('q', { text: d.best.text }), ' ',
          h('bdi', { 'class': 'pts plus', text: L('upTo', { n: d.most }) })]) : null
      ]);
    })), more ? h('p', { text: L('moreDecisions') }) : null];
  }

  function endingView(i, m, x, mo) {
    var node = m.nodes[x.n], got = eng.attemptScore();
    return view('ending', { 'data-node': node.id }, [node.title], [
      eyebrow(m, attemptPts(x)), modBar(),
      h('p', { 'class': 'outcome ' + node.ending }, [ico(node.ending), ' ' + L('outcome' + CAP[node.ending])]),
      content(node.html),
      h('p', { 'class': 'sum', text: L('scenarioScore', { score: got, max: m.max }) }),
      x.b > got ? h('p', { 'class': 'sum', text: L('bestScore', { score: x.b, max: m.max }) }) : null
    ].concat(decisionList(), [
      navRow([btn('replay', L('replay'), function () { step(eng.replay()); }),
        btn('next', L(eng.st.back ? 'toResults' : 'next'), function () { step(eng.next()); })])
    ]), momentBox(mo));
  }

  function quizHead(i, m, x) {
    return eyebrow(m, m.attempts > 1 ? [L('attemptOf', { n: x.a, total: m.attempts })] : null);
  }

  var LISTED = { matching: matchingInputs, sequencing: sequencingInputs, 'fill-in': fillInInputs };

  function questionView(i, m, x) {
    var o = eng.order(i), q = m.questions[o.qs[x.q]], multi = q.type === 'multiple', likert = q.type === 'likert';
    var err = h('p', { 'class': 'err', id: 'q-err', role: 'alert' }), listed = LISTED[q.type], parts;
    if (listed) parts = listed(q, o.opts[x.q]);
    else {
      parts = { list: h('ul', { 'class': 'opts' + (likert ? ' scale' : '') }, o.opts[x.q].map(function (k) {
        return h('li', null, [h('label', null, [
          h('input', { type: multi ? 'checkbox' : 'radio', name: 'answer', value: k, 'data-option': q.id + ':' + k }),
          h('span', { html: q.options[k].html })
        ])]);
      })), hint: multi ? 'selectAll' : likert ? 'likertHint' : 'selectOne' };
      parts.read = function (form) {
        var mask = 0, point = null;
        [].forEach.call(form.querySelectorAll('input'), function (inp) {
          if (inp.checked) { mask += Math.pow(2, +inp.value); point = +inp.value; }
        });
        if (!mask) return null;
        return likert ? point : mask;
      };
      parts.missing = 'chooseAnswer';
    }
    var form = h('form', { 'class': 'q ' + q.type, novalidate: true }, [
      h('fieldset', { 'aria-describedby': 'q-hint' }, [
        h('legend', { html: q.html }),
        h('p', { 'class': 'hint', id: 'q-hint', text: L(parts.hint) }),
        parts.list, err
      ]),
      navRow([h('button', { type: 'submit', 'data-action': 'submit', text: L('submit') })])
    ]);
    form.addEventListener('submit', act(function (e) {
      e.preventDefault();
      var resp = parts.read(form);
      if (resp == null) {
        err.textContent = L(parts.missing);
        (form.querySelector('[data-missing]') || form.querySelector('input, select, button')).focus();
        return;
      }
      if (q.type === 'fill-in') ui.typed = resp;
      step(eng.answer(resp));
    }));
    return view('question', { 'data-question': q.id }, [L('questionOf', { n: x.q + 1, total: eng.nq(i) })],
      [quizHead(i, m, x), modBar(), x.q === 0 ? content(m.intro) : null, form]);
  }

  // Matching: one select list of every match beside each situation (no dragging).
  function matchingInputs(q, shown) {
    var list = h('ul', { 'class': 'pairs' }, shown.map(function (k) {
      var id = 'm-' + k;
      return h('li', null, [
        h('label', { 'for': id }, [h('span', { html: q.options[k].html })]),
        h('select', { id: id, 'data-option': q.id + ':' + k }, [h('option', { value: '', text: L('pickMatch') })].concat(
          q.targets.map(function (t, j) { return h('option', { value: j, html: t.html }); })))
      ]);
    }));
    return { list: list, hint: 'matchHint', missing: 'matchEach', read: function (form) {
      var resp = [], gap = null;
      [].forEach.call(form.querySelectorAll('select'), function (sel) {
        var k = +sel.getAttribute('data-option').split(':')[1];
        sel.removeAttribute('data-missing');
        if (sel.value === '') { if (!gap) gap = sel; } else resp[k] = +sel.value;
      });
      if (gap) { gap.setAttribute('data-missing', ''); return null; }
      return resp;
    } };
  }

  // Sequencing: the steps in a list, each with "Move up" and "Move down" buttons; focus stays
  // on the step moved, and the live region says where it went.
  function sequencingInputs(q, shown) {
    var order = shown.slice(), list = h('ol', { 'class': 'steps' });
    function draw(moved, dir) {
      list.replaceChildren.apply(list, order.map(function (k, place) {
        var text = q.options[k].html, name = h('span', { html: text }).textContent;
        return h('li', { 'data-option': q.id + ':' + k }, [
          h('span', { 'class': 'place', 'aria-hidden': 'true', text: num(place + 1) }), h('span', { 'class': 'step', html: text }),
          h('span', { 'class': 'moves' }, [
            h('button', { type: 'button', 'data-move': 'up', 'aria-label': L('moveUp', { item: name }), 'aria-disabled': place === 0 ? 'true' : null, text: '\u2191' }),
            h('button', { type: 'button', 'data-move': 'down', 'aria-label': L('moveDown', { item: name }), 'aria-disabled': place === order.length - 1 ? 'true' : null, text: '\u2193' })
          ])
        ]);
      }));
      [].forEach.call(list.children, function (li, place) {
        var bs = li.querySelectorAll('button');
        bs[0].addEventListener('click', act(function () { if (place > 0) move(place, -1); }));
        bs[1].addEventListener('click', act(function () { if (place < order.length - 1) move(place, 1); }));
      });
      if (moved != null) {
        var li = list.children[order.indexOf(moved)], b = li.querySelector('[data-move="' + dir + '"]');
        (b.getAttribute('aria-disabled') ? li.querySelector('[data-move="' + (dir === 'up' ? 'down' : 'up') + '"]') : b).focus();
      }
    }
    function move(place, d) {
      var k = order[place], to = place + d, name = h('span', { html: q.options[k].html }).textContent;
      order.splice(place, 1);
      order.splice(to, 0, k);
      draw(k, d < 0 ? 'up' : 'down');
      live.textContent = '';
      setTimeout(function () { live.textContent = L('movedTo', { item: name, n: to + 1, total: order.length }); }, 50);
    }
    draw();
    return { list: list, hint: 'orderHint', missing: 'orderHint', read: function () { return order.slice(); } };
  }

  // Fill-in: one text field (answers are compared without case, extra spaces or accents).
  function fillInInputs(q) {
    var input = h('input', { type: 'text', id: 'fill', 'data-option': q.id + ':0', autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': 'q-hint' });
    return { list: h('p', { 'class': 'fill' }, [h('label', { 'for': 'fill', text: L('yourAnswer') }), input]), hint: 'fillHint',
      missing: 'typeAnswer', read: function () {
        var v = input.value.trim();
        if (!v) { input.setAttribute('data-missing', ''); return null; }
        return v;
      } };
  }

  // The verdict on the last answer: good, partial, bad, or neutral for an unscored likert question.
  function judged(q, l) {
    if (q.type === 'fill-in') return { points: l ? q.points : 0, right: l ? 1 : 0, parts: 1, verdict: l ? 'good' : 'bad' };
    return eng.judge(q, l);
  }
  function verdictWord(v) {
    var good = v === 'good', part = v === 'partial', none = v === 'neutral';
    return L(none ? 'answerRecorded' : part ? 'partlyCorrect' : good ? 'correct' : 'incorrect');
  }

  function feedbackView(i, m, x, got) {
    var o = eng.order(i), q = m.questions[o.qs[x.q]], bit = CG.state.bit, a = eng.attempt(i), j = judged(q, x.l), list;
    if (q.type === 'matching') {
      list = h('ul', { 'class': 'review' }, o.opts[x.q].map(function (k) {
        var pick = x.l[k], ok = pick === q.options[k].match;
        return h('li', { 'class': 'mine ' + (ok ? 'right' : 'wrong') }, [ico(ok ? 'good' : 'bad'), h('span', { html: q.options[k].html }),
          h('span', { 'class': 'tag' + (ok ? ' good' : ' bad'), html: L(ok ? 'yourMatch' : 'yourMatchWrong') + ' ' + q.targets[pick].html }),
          ok ? null : h('span', { 'class': 'tag good', html: L('rightMatch') + ' ' + q.targets[q.options[k].match].html })]);
      }));
    } else if (q.type === 'sequencing') {
      list = h('div', null, [h('h2', { text: L('yourOrder') }), h('ol', { 'class': 'review' }, x.l.map(function (k, place) {
        var ok = k === place;
        return h('li', { 'class': 'mine ' + (ok ? 'right' : 'wrong') }, [ico(ok ? 'good' : 'bad'), h('span', { html: q.options[k].html }),
          h('span', { 'class': 'tag at' + (ok ? ' good' : ' bad'), text: L(ok ? 'rightPlace' : 'rightPlaceIs', { n: k + 1 }) })]);
      })), h('h2', { text: L('rightOrder') }), h('ol', { 'class': 'plain' }, q.options.map(function (op) { return h('li', { html: op.html }); }))]);
    } else if (q.type === 'fill-in') {
      list = h('div', null, [ui.typed != null ? h('p', null, [L('yourAnswerWas') + ' ', h('q', { text: ui.typed })]) : null,
        h('p', null, [L('accepted') + ' ', q.options.map(function (op) { return op.text; }).join(' \u00B7 ')])]);
    } else if (q.type === 'likert') {
      list = h('p', null, [L('yourAnswerWas') + ' ', h('span', { html: q.options[x.l].html })]);
    } else {
      list = h('ul', { 'class': 'review' }, o.opts[x.q].map(function (k) {
        var mine = bit(x.l, k), ok = !!q.options[k].correct;
        return h('li', { 'class': (mine ? 'mine ' : '') + (ok ? 'right' : mine ? 'wrong' : '') }, [
          ico(ok ? 'good' : mine ? 'bad' : 'none'), h('span', { html: q.options[k].html }),
          mine && !ok ? h('span', { 'class': 'tag bad', text: L('wrongAnswer') }) : mine ? h('span', { 'class': 'tag', text: L('yourAnswer') }) : null,
          ok ? h('span', { 'class': 'tag good', text: L('correctAnswer') }) : null
        ]);
      }));
    }
    var retake = a.done && !a.finished, v = j.verdict;
    return view('feedback', { 'data-question': q.id, 'class': 'view feedback ' + (v === 'partial' ? 'bad' : v) },
      [ico(v === 'partial' ? 'neutral' : v), ' ' + verdictWord(v)], [
        quizHead(i, m, x), modBar(),
        h('div', { 'class': 'qtext', html: q.html }),
        v === 'partial' ? h('p', { 'class': 'parts', text: L('partsRight', { n: j.right, total: j.parts }) }) : null,
        list,
        content(q.explanation),
        v === 'neutral' ? h('p', { 'class': 'sum', text: L('notScored') }) : h('p', { 'class': 'sum' }, [L('pointsEarned') + ' ', ptsTag(j.points)]),
        a.done ? h('div', { 'class': 'attempt ' + (a.passed ? 'good' : 'bad') }, [
          h('h2', null, [ico(a.passed ? 'good' : 'bad'), ' ' + L(a.passed ? 'quizPassed' : 'quizFailed')]),
          h('p', { text: L('attemptScore', { percent: pc(a.percent), passMark: pc(m.passMark) }) }),
          retake ? h('p', { text: L('attemptsLeft', { n: a.left }) }) : null
        ]) : null,
        newBadges(got),
        navRow([btn('next', L(retake ? 'retake' : eng.st.back && a.finished ? 'toResults' : 'next'), function () { ui.typed = null; step(eng.next()); },
          { 'data-retake': retake ? '' : null })])
      ]);
  }

  function resultsView(got) {
    var ok = eng.passedCourse(), offered = eng.offered(), rows = ms.map(function (m, i) {
      var c = m.attest && eng.st.mods[i] ? eng.st.mods[i].c : null;
      var res = m.attest ? (c ? moment('attestedOn', c) : L(eng.finished(i) ? 'attestDeclined' : 'notAttested'))
        : m.kind === 'lesson' ? L('completed') : m.kind === 'quiz' ? L(eng.passed(i) ? 'quizPassed' : 'quizFailed')
        : L('outcome' + CAP[eng.outcome(i)]);
      var again = offered.indexOf(i) < 0 ? null : m.kind === 'scenario'
        ? btn('replay', L('replayModule'), function () { step(eng.retake(i)); }, { 'data-module': m.id })
        : btn('retake', L('reviewRetake'), function () {
          var lesson = eng.lessonBefore(i);
          ui.reread = lesson < 0 ? null : { i: lesson, p: 0 };
          step(eng.retake(i));
        }, { 'data-module': m.id });
      return h('tr', null, [h('th', { scope: 'row', text: m.title }),
        h('td', { text: m.max ? L('scoreOf', { n: eng.mscore(i), max: m.max }) : '\u2013' }),
        h('td', null, [res, again ? h('span', { 'class': 'again' }, [again]) : null])]);
    });
    return view('results', null, [L('resultsTitle')], [null, null,
      h('p', { 'class': 'verdict ' + (ok ? 'good' : 'bad') }, [ico(ok ? 'good' : 'bad'), ' ' + L(ok ? 'coursePassed' : 'courseFailed')]),
      h('p', { 'class': 'sum', 'data-percent': eng.percent(), text: L('resultsScore', { percent: pc(eng.percent()), passMark: pc(course.passMark) }) }),
      !ok && offered.length ? h('p', { text: L('howToPass') }) : null,
      newBadges(got),
      h('div', { 'class': 'table' }, [cards(h('table', null, [
        h('thead', null, [h('tr', null, [h('th', { scope: 'col', text: L('colModule') }),
          h('th', { scope: 'col', text: L('colScore') }), h('th', { scope: 'col', text: L('colResult') })])]),
        h('tbody', null, rows)]))])
    ].concat(badgeSections('h2'), [
      ok ? navRow([btn('certificate', L('certificate'), function () { ui.cert = true; render(); })]) : null
    ]));
  }

  function certificateView() {
    var now = new Date(), d = now.toLocaleDateString(course.language || undefined, { year: 'numeric', month: 'long', day: 'numeric' });
    return view('certificate', null, [L('certificateTitle')], [logo(), null,
      h('p', { text: L('certifies') }),
      h('p', { 'class': 'name' }, [learnerName ? h('bdi', { text: learnerName }) : L('learner')]),
      h('p', { text: L('hasCompleted') }),
      h('p', { 'class': 'course', text: course.title }),
      h('p', { text: L('version', { v: course.version }) }),
      h('p', { text: L('certScore', { percent: pc(eng.percent()) }) }),
      h('p', null, dated(L('date', { date: '\u0000' }), h('time', { datetime: [now.getFullYear(), now.getMonth() + 1, now.getDate()].map(function (n) { return (n < 10 ? '0' : '') + n; }).join('-'), text: d }))),
      earned().length ? badgeList(earned(), true) : null
    ].concat(ms.map(function (m, i) {
      var c = m.attest && eng.st.mods[i] ? eng.st.mods[i].c : null; // each statement confirmed, and when
      return c ? h('p', { 'class': 'attested' }, [moment('certAttested', c), ' ', h('q', { html: m.attest.html })]) : null;
    }), [
      navRow([btn('print', L('print'), function () { window.print(); }),
        btn('results', L('backToResults'), function () { ui.cert = false; render(); })])
    ]));
  }

  // ---- flow ----
  function render(got) {
    var i = eng.st.cur, m = ms[i], x = eng.st.mods[i], mo = ui.moment, sec;
    ui.moment = null;
    if (mo) mo.got = got;
    if (ui.cert) sec = certificateView();
    else if (ui.cover) sec = coverView();
    else if (ui.reread) sec = lessonView(ms[ui.reread.i], ui.reread, true);
    else if (i >= ms.length) sec = resultsView(got);
    else if (m.kind === 'lesson') sec = lessonView(m, x);
    else if (m.kind === 'scenario') sec = (m.nodes[x.n].ending ? endingView : nodeView)(i, m, x, mo);
    else sec = x.l != null ? feedbackView(i, m, x, got) : questionView(i, m, x);
    stats();
    stage.replaceChildren(sec);
    window.scrollTo(0, 0);
    var hd = sec.querySelector('h1');
    hd.focus();
    // Clear then set, so the same words are announced again.
    live.textContent = '';
    var say = [].map.call(sec.querySelectorAll('.moment, .earned, h1'), function (e) {
      var c = e.cloneNode(true);
      [].forEach.call(c.querySelectorAll('[aria-hidden]'), function (a) { a.remove(); });
      return c.textContent.replace(/\s+/g, ' ').trim();
    }).join(' ');
    setTimeout(function () { live.textContent = say; }, 50);
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
    render(r.got.map(function (b) { return course.badges[b]; }));
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
        if (m.retakes === undefined) m.retakes = null;
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
      speak(course.language || document.documentElement.lang, course.dir);
      untranslated();
      check();
      info = CG.lms.start(course.id, document.documentElement.getAttribute('data-scorm'));
      if (info.passMark != null) course.passMark = info.passMark; // the LMS's mastery score rules (cmi5)
      var n = info.name.split(','); // LMSs send "Last, First"
      learnerName = (n.length === 2 ? n[1].trim() + ' ' + n[0].trim() : info.name).trim();
      var data = savedData(), st = data ? CG.state.decode(course, data) : null;
      eng = CG.engine(course, st);
      var restarted = !!data && !(st && eng.consistent());
      if (restarted) eng = CG.engine(course, null);
      ui.cover = !!course.cover && !data; // a first launch; a learner coming back goes straight in
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

  // The page's language and direction; numbers and plural forms follow the language
  // (a tag the browser does not know, like a pseudo-locale's, gets its default rules).
  function speak(lang, dir) {
    var root = document.documentElement;
    root.lang = lang;
    if (dir) root.dir = dir;
    var make = function (Kind, o) { try { return new Kind(lang, o); } catch (x) { return new Kind(undefined, o); } };
    numbers = make(Intl.NumberFormat);
    percents = make(Intl.NumberFormat, { style: 'percent', maximumFractionDigits: 2 });
    plurals = make(Intl.PluralRules);
  }

  // A word with an element in place of one of its values (marked \u0000): the date as <time>.
  function dated(text, el) {
    var at = text.indexOf('\u0000');
    return at < 0 ? [text] : [text.slice(0, at), el, text.slice(at + 1)];
  }

  function fatal(e) {
    try { CG.lms.finish(); } catch (x) { /* already reporting a failure */ }
    // Before the course's words could be read, the page's own (the launch page carries them).
    var msg = labels.errorStartup || document.documentElement.getAttribute('data-error') || '';
    document.body.textContent = '';
    document.body.appendChild(h('main', { id: 'main', 'class': 'fatal' }, [
      h('section', { 'class': 'view', role: 'alert' }, [h('h1', { text: msg }),
        h('p', { lang: 'en', dir: 'ltr', text: String(e && e.message || e) })])
    ]));
  }

  // An adapter that must ask the LMS before the course starts (cmi5, over HTTP) sets CG.lms.ready.
  function begin() { if (CG.lms.ready) CG.lms.ready.then(boot, boot); else boot(); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', begin);
  else begin();
})(window.CG = window.CG || {});
