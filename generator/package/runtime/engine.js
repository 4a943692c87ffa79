/* The course logic of docs/course-json.md: state transitions, scoring, completion and
   badges. No DOM views and no LMS here; every action returns what the player must
   report: { rec: [interaction records], got: [badge indices newly earned], delta }. */
(function (CG) {
  'use strict';
  var S = CG.state, ev = CG.expr.ev;

  function seed() {
    try { return crypto.getRandomValues(new Uint32Array(1))[0]; } catch (e) { return Math.floor(Math.random() * 4294967296); }
  }
  // Percent of the maximum, rounded down; with nothing to earn, 100 once done (0 before).
  // Never above 100, whatever the course JSON says: the last guard on what the LMS records.
  function pct(score, max, done) { return max ? Math.min(100, Math.floor(score * 100 / max)) : done ? 100 : 0; }
  function bits(mask, n) { for (var a = [], i = 0; i < n; i++) if (S.bit(mask, i)) a.push(i); return a; }

  // Fewest steps from each node to an ending (module progress): one backward
  // breadth-first pass from the endings, linear in the scenario's size.
  function dist(m) {
    if (m._d) return m._d;
    var into = m.nodes.map(function () { return []; }), d = [], queue = [];
    m.nodes.forEach(function (n, k) {
      n.choices.forEach(function (c) { into[c.to].push(k); });
      d[k] = n.ending ? 0 : Infinity;
      if (n.ending) queue.push(k);
    });
    for (var head = 0; head < queue.length; head++) {
      into[queue[head]].forEach(function (k) {
        if (d[k] === Infinity) { d[k] = d[queue[head]] + 1; queue.push(k); }
      });
    }
    return (m._d = d);
  }

  // A fill-in answer as it is compared (generator/rules.py normalise_answer): accents dropped,
  // lower case, runs of white space one space, none at either end.
  function plain(text) {
    return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
  }
  var CHOICE = { single: 1, multiple: 1, truefalse: 1 };

  // A response judged (docs/course-json.md, "quiz"): its points, the parts right of the parts
  // (partial credit for matching and sequencing, rounded down), the verdict and what the
  // resume state keeps of it.
  function judge(q, resp) {
    var n = q.options.length, right = 0, parts = 1, last = resp;
    if (CHOICE[q.type]) {
      var want = 0;
      q.options.forEach(function (o, k) { if (o.correct) want += Math.pow(2, k); });
      right = resp === want ? 1 : 0;
    } else if (q.type === 'matching') {
      parts = n;
      q.options.forEach(function (o, k) { if (resp[k] === o.match) right++; });
    } else if (q.type === 'sequencing') {
      parts = n;
      resp.forEach(function (step, place) { if (step === place) right++; });
    } else if (q.type === 'fill-in') {
      var typed = plain(resp);
      last = 0;
      q.options.forEach(function (o, k) { if (!last && o.accept === typed) last = k + 1; });
      right = last ? 1 : 0;
    } else {
      return { points: 0, right: 0, parts: 0, verdict: 'neutral', last: resp };
    }
    return { points: Math.floor(q.points * right / parts), right: right, parts: parts,
      verdict: right === parts ? 'good' : right ? 'partial' : 'bad', last: last };
  }

  // What the LMS records of an answer: the response and the right one in the type's own terms
  // (runtime/scorm.js and cmi5.js write them in each version's format).
  function record(m, q, resp, j, RESULT) {
    var n = q.options.length, r = { id: m.id + '__' + q.id, weight: q.points, desc: q.title, points: j.points,
      result: RESULT[j.verdict === 'good' ? 'good' : j.verdict === 'neutral' ? 'neutral' : 'bad'] };
    if (q.type === 'truefalse' || CHOICE[q.type]) {
      var sel = bits(resp, n), cor = q.options.map(function (o, k) { return o.correct ? k : -1; }).filter(function (k) { return k >= 0; });
      var tf = q.type === 'truefalse';
      r.type = tf ? 'true-false' : 'choice';
      r.resp = tf ? !!q.options[sel[0]].value : sel;
      r.pattern = tf ? !!q.options[cor[0]].value : cor;
    } else if (q.type === 'matching') {
      r.type = 'matching';
      r.resp = resp.map(function (t, k) { return [k, t]; });
      r.pattern = q.options.map(function (o, k) { return [k, o.match]; });
    } else if (q.type === 'sequencing') {
      r.type = 'sequencing';
      r.resp = resp.slice();
      r.pattern = q.options.map(function (o, k) { return k; });
    } else if (q.type === 'fill-in') {
      r.type = 'fill-in';
      r.resp = String(resp);
      r.patterns = q.options.map(function (o) { return o.text; });
    } else {
      r.type = 'likert'; // unscored: no right response, no weighting
      r.resp = resp;
      r.weight = 0;
    }
    return r;
  }

  CG.engine = function (course, saved) {
    var ms = course.modules, N = ms.length, orders = {}, RESULT = course.results;
    var st = saved || { cur: 0, back: false, badges: 0, mods: ms.map(function () { return null; }) };

    // A module entered for the first time, or (old) again from the results, keeping its best.
    function fresh(i, old) {
      var k = ms[i].kind;
      return k === 'lesson' ? { p: 0, done: false, c: null }
        : k === 'scenario' ? { n: 0, f: 0, p: 0, b: old ? old.b : null, e: old ? old.e : null, x: seed(), h: [], more: false }
        : { a: 1, q: 0, s: 0, x: seed(), b: old ? old.b : null, r: old ? old.r : 0, l: null, t: old ? old.t + 1 : 0 };
    }
    if (!saved && N) st.mods[0] = fresh(0);

    function nq(i) { return ms[i].draw != null ? ms[i].draw : ms[i].questions.length; }
    function attemptDone(i) { var x = st.mods[i]; return x.q === nq(i) - 1 && x.l != null; }
    function finished(i) {
      var m = ms[i], x = st.mods[i];
      if (!x) return false;
      if (m.kind === 'lesson') return x.done;
      if (m.kind === 'scenario') return x.b != null;
      return x.r === 1 || (x.a >= m.attempts && attemptDone(i));
    }
    function passed(i) {
      var x = st.mods[i], k = ms[i].kind;
      return !!x && (k === 'lesson' ? x.done : k === 'scenario' ? x.b != null : x.r === 1);
    }
    function mscore(i) { var x = st.mods[i]; return !x || x.b == null || ms[i].kind === 'lesson' ? 0 : Math.min(x.b, ms[i].max); }
    // A scenario attempt's score: its points floored at 0 and, as a last guard, never above the maximum.
    function attemptScore(m, points) { return Math.min(m.max, Math.max(0, points)); }
    function mpercent(i) { return pct(mscore(i), ms[i].max, finished(i)); }
    function outcome(i) { var x = st.mods[i]; return x && x.e != null ? ms[i].nodes[x.e].ending : ''; }
    function score() { for (var s = 0, i = 0; i < N; i++) s += mscore(i); return s; }
    function completed() { for (var i = 0; i < N; i++) if (!finished(i)) return false; return true; }
    function percent() { return pct(score(), course.maxPoints, completed()); }

    // Flags are the current scenario's, or those of an earlier moment of it (mask).
    function envWith(mask) {
      return {
        percent: percent,
        score: score,
        flag: function (f) {
          var x = st.mods[st.cur];
          if (mask != null) return S.bit(mask, f);
          return !!(st.cur < N && ms[st.cur].kind === 'scenario' && x && S.bit(x.f, f));
        },
        module: function (i, p) {
          return p === 'percent' ? mpercent(i) : p === 'score' ? mscore(i) : p === 'outcome' ? outcome(i) : passed(i);
        }
      };
    }
    var env = envWith(null);
    function visible(c, mask) { return c['if'] == null || !!ev(c['if'], mask == null ? env : envWith(mask)); }

    function flagsAfter(c, mask) {
      c.unset.forEach(function (f) { mask = S.setBit(mask, f, false); });
      c.set.forEach(function (f) { mask = S.setBit(mask, f, true); });
      return mask;
    }
    // The most points that can still be earned from each (node, flags) state of an attempt:
    // the states reachable from the start, then relaxed backwards from the endings (a loop
    // never earns points, so this settles).
    function ahead(m) {
      var V = {}, into = {}, states = [[0, 0]], seen = { '0:0': 1 }, k;
      for (k = 0; k < states.length; k++) {
        var s = states[k], node = m.nodes[s[0]];
        if (node.ending) V[s[0] + ':' + s[1]] = 0;
        node.choices.forEach(function (c) {
          if (!visible(c, s[1])) return;
          var t = c.to + ':' + flagsAfter(c, s[1]);
          (into[t] = into[t] || []).push([s, c.points]);
          if (!seen[t]) { seen[t] = 1; states.push([c.to, flagsAfter(c, s[1])]); }
        });
      }
      var queue = states.filter(function (s) { return m.nodes[s[0]].ending; });
      for (k = 0; k < queue.length; k++) {
        var t = queue[k][0] + ':' + queue[k][1];
        (into[t] || []).forEach(function (e) {
          var from = e[0][0] + ':' + e[0][1], v = V[t] + e[1];
          if (!(V[from] >= v)) { V[from] = v; queue.push(e[0]); }
        });
      }
      return V;
    }
    function worth(V, c, mask) { var v = V[c.to + ':' + flagsAfter(c, mask)]; return v == null ? -Infinity : c.points + v; }

    // What the current attempt has earned so far, and what counts of it: the best attempt does.
    function live(i) {
      var x = st.mods[i];
      return i !== st.cur || !x ? 0 : ms[i].kind === 'scenario' ? attemptScore(ms[i], x.p) : ms[i].kind === 'quiz' ? x.s : 0;
    }
    function counted(i) { return Math.max(mscore(i), live(i)); }
    function belowTarget(i) {
      return !!st.mods[i] && ((ms[i].max > 0 && mpercent(i) < course.passMark) || (ms[i].kind === 'quiz' && !passed(i)));
    }
    function passedCourse() {
      if (!completed() || percent() < course.passMark) return false;
      for (var i = 0; i < N; i++) if (ms[i].kind === 'quiz' && !passed(i)) return false;
      return true;
    }

    function earn() {
      var got = [];
      course.badges.forEach(function (b, i) {
        // A badge without a condition is earned by completing the course.
        if (!S.bit(st.badges, i) && (b.when == null ? completed() : ev(b.when, env))) {
          st.badges = S.setBit(st.badges, i, true);
          got.push(i);
        }
      });
      return got;
    }
    // A play's decisions as "node.choice" from its start (the path the resume state keeps).
    function steps(m, path) {
      var n = 0;
      return path.map(function (ci) {
        var node = m.nodes[n];
        n = node.choices[ci].to;
        return node.id + '.' + ci.toString(36);
      });
    }
    function out(rec, evaluate, delta) { return { rec: rec, got: evaluate ? earn() : [], delta: delta }; }
    function here() { return { i: st.cur, m: ms[st.cur], x: st.mods[st.cur] }; }
    // A quiz attempt's questions and options, or a scenario attempt's choices, in the order shown.
    function order(i) {
      var key = i + ':' + st.mods[i].x;
      return orders[key] || (orders[key] = (ms[i].kind === 'quiz' ? S.quizOrder : S.choiceOrder)(ms[i], st.mods[i].x));
    }
    function attemptPassed(i) { return pct(st.mods[i].s, ms[i].max, true) >= ms[i].passMark; }
    function attempt(i) {
      var m = ms[i], x = st.mods[i];
      return { percent: pct(x.s, m.max, true), passed: attemptPassed(i), left: m.attempts - x.a, done: attemptDone(i), finished: finished(i) };
    }

    return {
      st: st,
      course: course,
      score: score,
      percent: percent,
      completed: completed,
      passedCourse: passedCourse,
      finished: finished,
      passed: passed,
      mscore: mscore,
      mpercent: mpercent,
      attemptScore: function () { var i = st.cur; return attemptScore(ms[i], st.mods[i].p); },
      outcome: outcome,
      order: order,
      attempt: attempt,
      nq: nq,
      visible: function (c) { return visible(c); },
      counted: counted,

      // The header's score: points that count so far, of the points of the modules entered.
      tally: function () {
        for (var got = 0, max = 0, i = 0; i < N; i++) if (st.mods[i]) { got += counted(i); max += ms[i].max; }
        return { got: got, max: max };
      },

      // On the results of a course not passed: the modules the learner may go back to.
      offered: function () {
        if (st.cur < N || passedCourse()) return [];
        return ms.map(function (m, i) { return i; }).filter(function (i) {
          var m = ms[i];
          return belowTarget(i) && (m.kind === 'scenario' || (m.kind === 'quiz' && (m.retakes == null || st.mods[i].t < m.retakes)));
        });
      },
      // The lesson a quiz's "Review and retake" reopens first: the nearest one before it.
      lessonBefore: function (i) {
        while (--i >= 0) if (ms[i].kind === 'lesson') return i;
        return -1;
      },
      retake: function (i) {
        st.cur = i;
        st.back = true;
        st.mods[i] = fresh(i, st.mods[i]);
        return out([]);
      },

      // The decisions of the current scenario attempt; where a shown choice led to more points by
      // the end (its points and the best that could follow), that choice and those points.
      decisions: function () {
        var m = ms[st.cur], x = st.mods[st.cur], at = 0, mask = 0, V = ahead(m);
        return x.h.map(function (ci) {
          var node = m.nodes[at], c = node.choices[ci], best = null, most = worth(V, c, mask);
          node.choices.forEach(function (o) {
            if (visible(o, mask) && worth(V, o, mask) > most) { best = o; most = worth(V, o, mask); }
          });
          mask = flagsAfter(c, mask);
          at = c.to;
          return { node: node, choice: c, best: best, most: most };
        });
      },

      // Saved data must describe a learner who moved through the modules in order,
      // or who went back from the results to one module with all the others finished.
      consistent: function () {
        if (st.back && st.cur >= N) return false;
        for (var i = 0; i < N; i++) {
          if (i === st.cur ? !st.mods[i] : i < st.cur || st.back ? !finished(i) : !!st.mods[i]) return false;
        }
        return true;
      },

      // 0…1 through the current module, and through the course.
      progress: function () {
        var h = here(), m = h.m, x = h.x, p = 0, done = 0;
        if (st.cur < N) {
          if (m.kind === 'lesson') p = (x.p + 1) / m.pages.length;
          else if (m.kind === 'quiz') p = (x.q + (x.l != null ? 1 : 0)) / nq(h.i);
          else { var d = dist(m); p = m.nodes[x.n].ending ? 1 : d[0] > 0 && d[0] < Infinity ? Math.max(0, 1 - d[x.n] / d[0]) : 0; }
        }
        for (var i = 0; i < N; i++) if (finished(i)) done++;
        return { module: p, course: N ? Math.min(1, (done + (st.cur < N && !finished(st.cur) ? p : 0)) / N) : 1 };
      },

      // data-action=next: next lesson page, past an ending or a feedback, or on to the next module.
      // On an attestation's last page, `attested` is the learner's confirmation: without it a
      // required one does not move on (null), one not required is recorded as declined.
      next: function (attested) {
        var h = here(), m = h.m, x = h.x, lessonDone = false, rec = [];
        if (m.kind === 'lesson') {
          if (x.p < m.pages.length - 1) { x.p++; return out([]); }
          if (m.attest) {
            if (!attested && m.attest.required) return null;
            x.c = attested ? Math.floor((CG.now ? CG.now() : Date.now()) / 60000) : null;
            rec.push({ id: m.id + '__attest', type: 'true-false', resp: !!attested, pattern: true, weight: 0, points: 0,
              desc: m.attest.text, result: RESULT[attested ? 'good' : 'neutral'], attest: true });
          }
          x.done = lessonDone = true;
        } else if (m.kind === 'quiz') {
          if (x.q < nq(h.i) - 1) { x.q++; x.l = null; return out([]); }
          if (!finished(h.i)) { x.a++; x.q = 0; x.s = 0; x.x = seed(); x.l = null; return out([]); }
        }
        if (st.back) { st.cur = N; st.back = false; } // back from the results: on to them again
        else st.cur++;
        if (st.cur < N) st.mods[st.cur] = fresh(st.cur);
        return out(rec, lessonDone);
      },
      back: function () { var x = st.mods[st.cur]; if (x.p > 0) x.p--; return out([]); },
      replay: function () {
        var x = st.mods[st.cur];
        x.n = 0; x.f = 0; x.p = 0; x.x = seed(); x.h = []; x.more = false;
        return out([]);
      },

      choose: function (ci) {
        var h = here(), m = h.m, x = h.x, node = m.nodes[x.n], c = node.choices[ci];
        var rec = [{ id: m.id + '__' + node.id, type: 'choice', resp: [ci], weight: c.points, desc: c.text,
          result: RESULT[c.points > 0 ? 'good' : c.points < 0 ? 'bad' : 'neutral'], play: m.id, node: node.id }];
        // The floor (docs/course-json.md) bounds the resume state and changes no score.
        x.p = Math.max(x.p + c.points, m.floor);
        if (x.h.length < S.PATH_MAX) x.h.push(ci);
        else x.more = true;
        x.f = flagsAfter(c, x.f);
        x.n = c.to;
        var t = m.nodes[c.to];
        if (t.ending) {
          var got = attemptScore(m, x.p);
          rec.push({ id: m.id + '__ending', type: 'fill-in', resp: t.id, desc: t.title, result: RESULT[t.ending], play: m.id,
            path: steps(m, x.h), more: x.more });
          if (x.b == null || got > x.b) { x.b = got; x.e = c.to; }
        }
        return out(rec, true, c.points);
      },

      // The response, by the question's type: choice types a mask (bit k set = option k, source
      // position, ticked); matching the target index picked for each situation (source order);
      // sequencing the step indices in the order given; fill-in the text typed; likert the point.
      answer: function (resp) {
        var h = here(), m = h.m, x = h.x, q = m.questions[order(h.i).qs[x.q]];
        var j = judge(q, resp), rec = [record(m, q, resp, j, RESULT)];
        x.s += j.points;
        x.l = j.last;
        var fin = false;
        if (x.q === nq(h.i) - 1) {
          if (x.b == null || x.s > x.b) x.b = x.s;
          if (attemptPassed(h.i)) x.r = 1;
          fin = finished(h.i);
        }
        return out(rec, fin, j.points);
      },
      judge: judge

    };
  };
})(window.CG = window.CG || {});
