/* Resume state (suspend_data) and the seeded PRNG, exactly as docs/course-json.md
   specifies; generator/check/state.py computes the worst-case length of this encoding. */
(function (CG) {
  'use strict';

  // Masks may exceed 32 bits (many flags/badges), so use arithmetic, not bit operators.
  function bit(mask, i) { return Math.floor(mask / Math.pow(2, i)) % 2 === 1; }
  function setBit(mask, i, on) { return bit(mask, i) === on ? mask : mask + (on ? 1 : -1) * Math.pow(2, i); }

  function fnv(s) {
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  function mulberry32(a) {
    return function () {
      a = (a + 0x6D2B79F5) | 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // Fisher–Yates from the end: i = n-1 … 1, j = floor(r × (i+1)).
  function shuffle(arr, rnd) {
    for (var i = arr.length - 1; i > 0; i--) {
      var j = Math.floor(rnd() * (i + 1)), t = arr[i];
      arr[i] = arr[j]; arr[j] = t;
    }
    return arr;
  }
  function range(n) { for (var a = [], i = 0; i < n; i++) a.push(i); return a; }

  // Source indices in the order shown: the unpinned items shuffled among the unpinned places.
  function arrange(items, rnd) {
    var free = range(items.length).filter(function (k) { return !items[k].pinned; });
    var moved = shuffle(free.slice(), rnd), out = range(items.length);
    free.forEach(function (place, k) { out[place] = moved[k]; });
    return out;
  }

  // Questions asked in an attempt (source indices, in order) and each one's option order.
  function quizOrder(quiz, seed) {
    var rnd = mulberry32(seed), qs = range(quiz.questions.length);
    if (quiz.draw != null) {
      qs = shuffle(qs, rnd).slice(0, quiz.draw);
      if (!quiz.shuffle) qs.sort(function (a, b) { return a - b; });
    } else if (quiz.shuffle) shuffle(qs, rnd);
    return {
      qs: qs,
      opts: qs.map(function (qi) {
        var q = quiz.questions[qi], o = q.options;
        if (q.type === 'sequencing') return scramble(o, rnd);
        return quiz.shuffle && (CHOICE[q.type] || q.type === 'matching') ? arrange(o, rnd) : range(o.length);
      })
    };
  }
  var CHOICE = { single: 1, multiple: 1, truefalse: 1 };
  // A sequencing question's steps are never shown in their right order, shuffled or not: arranged,
  // and moved round by one place when the arrangement happens to be the right order.
  function scramble(items, rnd) {
    var out = arrange(items, rnd);
    for (var k = 0; k < out.length && out[k] === k; k++);
    return k === out.length && out.length > 1 ? out.slice(1).concat(out.slice(0, 1)) : out;
  }
  // The question an attempt asks at a position (its seed decides which and in what order).
  function asked(quiz, seed, position) { return quiz.questions[quizOrder(quiz, seed).qs[position]]; }

  // The last answer, kept while its feedback shows: choice types a mask of the options ticked;
  // matching the target picked for each situation and sequencing the steps in the order given,
  // one base-36 character each; fill-in 1 + the accepted answer it matched (0: none); likert the point.
  function lastText(l) { return Array.isArray(l) ? l.map(b36).join('') : b36(l); }
  function lastValue(q, s) {
    if (s === '-') return null;
    var n = q.options.length;
    if (CHOICE[q.type]) return num(s, 1, Math.pow(2, n) - 1);
    if (q.type === 'fill-in') return num(s, 0, n);
    if (q.type === 'likert') return num(s, 0, n - 1);
    if (s.length !== n) throw new Bad();
    var most = q.type === 'matching' ? q.targets.length - 1 : n - 1, seen = {};
    return s.split('').map(function (c) {
      var v = num(c, 0, most);
      if (q.type === 'sequencing' && seen[v]) throw new Bad(); // a sequence holds each step once
      seen[v] = 1;
      return v;
    });
  }

  // Each node's choices in the order one attempt shows them, drawn node by node from one generator.
  function choiceOrder(scenario, seed) {
    var rnd = mulberry32(seed);
    return scenario.nodes.map(function (n) { return scenario.shuffle ? arrange(n.choices, rnd) : range(n.choices.length); });
  }

  function b36(n) { return n == null ? '-' : n.toString(36); }
  // Fixed-width base 36: settled records need no separators.
  function w36(n) { return b36(n).length; }
  function pad(n, width) { var s = b36(n); while (s.length < width) s = '0' + s; return s; }

  // A scenario attempt keeps the choices it took (to review them at its ending), at most PATH_MAX.
  var PATH_MAX = 40;
  function pathWidth(m) {
    var most = 1;
    m.nodes.forEach(function (n) { most = Math.max(most, n.choices.length); });
    return w36(most - 1);
  }

  // A module the learner has left keeps only its result: a lesson nothing, a scenario its
  // best score and ending, a quiz its best score, passed, attempts and (when limited) retakes.
  // An attestation's moment: whole minutes since 1970, six base-36 digits (0: declined).
  var ATTEST = 6;
  function widths(m) {
    if (m.kind === 'lesson') return m.attest ? [ATTEST] : [];
    if (m.kind === 'scenario') return [w36(m.max), w36(m.nodes.length - 1)];
    return [w36(m.max), 1, w36(m.attempts)].concat(m.retakes != null ? [w36(m.retakes)] : []);
  }
  function settle(m, f) {
    var w = widths(m);
    if (m.kind === 'lesson') return m.attest ? pad(f.c || 0, ATTEST) : '';
    if (m.kind === 'scenario') return pad(f.b, w[0]) + pad(f.e, w[1]);
    return pad(f.b, w[0]) + (f.r ? '1' : '0') + pad(f.a, w[2]) + (m.retakes != null ? pad(f.t, w[3]) : '');
  }
  function full(m, f) {
    if (m.kind === 'lesson') return b36(f.p) + (f.done ? '*' : '');
    if (m.kind === 'scenario') {
      var w = pathWidth(m);
      return [f.n, f.f, f.p, f.b, f.e, m.shuffle ? f.x : null].map(b36).join('_') + '_' +
        f.h.map(function (c) { return pad(c, w); }).join('') + (f.more ? '+' : '');
    }
    return [f.a, f.q, f.s, f.x, f.b, f.r].concat([null], m.retakes != null ? [f.t] : []).map(b36)
      .map(function (v, k) { return k === 6 ? lastText(f.l) : v; }).join('_');
  }

  // Settled: the modules before the current one, or every other one when the learner
  // went back from the results (current then carries a "+").
  function encode(course, st) {
    var ms = course.modules, settled = '';
    for (var i = 0; i < ms.length; i++) if (i < st.cur || (st.back && i !== st.cur)) settled += settle(ms[i], st.mods[i]);
    var body = [b36(st.cur) + (st.back ? '+' : ''), b36(st.badges), settled];
    if (st.cur < ms.length) body.push(full(ms[st.cur], st.mods[st.cur]));
    body = body.join('.');
    return course.stateKey + '|' + fnv(body).toString(36) + '|' + body;
  }

  function Bad() {}
  function num(s, min, max, nullable) {
    if (nullable && s === '-') return null;
    if (!/^-?[0-9a-z]{1,11}$/.test(s)) throw new Bad();
    var n = parseInt(s, 36);
    if (!(n >= min && n <= max)) throw new Bad();
    return n;
  }
  var BIG = 1e12, U32 = 4294967295;

  // A settled record back to a finished module's state.
  function unsettle(m, s, at) {
    var w = widths(m), n = function (k, min, max) {
      var from = at + w.slice(0, k).reduce(function (a, b) { return a + b; }, 0);
      return num(s.slice(from, from + w[k]), min, max);
    };
    if (m.kind === 'lesson') {
      var c = m.attest ? n(0, 0, Math.pow(36, ATTEST) - 1) || null : null;
      if (m.attest && m.attest.required && c == null) throw new Bad(); // a required statement is left only confirmed
      return { p: m.pages.length - 1, done: true, c: c };
    }
    if (m.kind === 'scenario') {
      var b = n(0, 0, m.max), e = n(1, 0, m.nodes.length - 1);
      if (!m.nodes[e].ending) throw new Bad();
      return { n: e, f: 0, p: b, b: b, e: e, x: 0, h: [], more: false };
    }
    var best = n(0, 0, m.max), r = n(1, 0, 1), a = n(2, 1, m.attempts), last = (m.draw != null ? m.draw : m.questions.length) - 1;
    if (!r && a < m.attempts) throw new Bad(); // a failed quiz is left only when its attempts are used up
    return { a: a, q: last, s: best, x: 0, b: best, r: r, l: 1, t: m.retakes != null ? n(3, 0, m.retakes) : 0 };
  }

  // The choices of a scenario attempt, which must lead from the start to the current node
  // (none: the history is unknown, as when the author's preview jumps to a node).
  function path(m, s, node) {
    var more = s.slice(-1) === '+', digits = more ? s.slice(0, -1) : s, w = pathWidth(m), h = [], at = 0;
    if (digits.length % w || digits.length > PATH_MAX * w || (more && digits.length < PATH_MAX * w)) throw new Bad();
    for (var k = 0; k < digits.length; k += w) {
      var c = num(digits.slice(k, k + w), 0, m.nodes[at].choices.length - 1);
      h.push(c);
      at = m.nodes[at].choices[c].to;
    }
    if (!more && h.length && at !== node) throw new Bad();
    return { h: h, more: more };
  }

  function field(m, s) {
    if (s === '') return null;
    if (m.kind === 'lesson') {
      var star = s.slice(-1) === '*';
      return { p: num(star ? s.slice(0, -1) : s, 0, m.pages.length - 1), done: star, c: null };
    }
    var v = s.split('_'), f;
    if (m.kind === 'scenario') {
      if (v.length !== 7 || (!m.shuffle && v[5] !== '-')) throw new Bad();
      f = { n: num(v[0], 0, m.nodes.length - 1), f: num(v[1], 0, Math.pow(2, m.flags.length) - 1),
        p: num(v[2], m.floor, BIG), b: num(v[3], 0, m.max, 1), e: num(v[4], 0, m.nodes.length - 1, 1),
        x: m.shuffle ? num(v[5], 0, U32) : 0 };
      if ((f.b == null) !== (f.e == null) || (f.e != null && !m.nodes[f.e].ending)) throw new Bad();
      var taken = path(m, v[6], f.n);
      f.h = taken.h;
      f.more = taken.more;
      return f;
    }
    var n = m.draw != null ? m.draw : m.questions.length;
    if (v.length !== (m.retakes != null ? 8 : 7)) throw new Bad();
    f = { a: num(v[0], 1, m.attempts), q: num(v[1], 0, n - 1), s: num(v[2], 0, m.max), x: num(v[3], 0, U32),
      b: num(v[4], 0, m.max, 1), r: num(v[5], 0, 1), t: m.retakes != null ? num(v[7], 0, m.retakes) : 0 };
    f.l = lastValue(asked(m, f.x, f.q), v[6]);
    return f;
  }

  // Returns the state object, or null when the data is foreign, damaged or inconsistent.
  function decode(course, data) {
    try {
      var parts = String(data).split('|');
      if (parts.length !== 3 || parts[0] !== course.stateKey || parts[1] !== fnv(parts[2]).toString(36)) return null;
      var v = parts[2].split('.'), ms = course.modules, back = v[0].slice(-1) === '+', at = 0;
      var cur = num(back ? v[0].slice(0, -1) : v[0], 0, back ? ms.length - 1 : ms.length);
      if (v.length !== (cur < ms.length ? 4 : 3) || (back && ms[cur].kind === 'lesson')) return null;
      var mods = ms.map(function (m, i) {
        if (i === cur) return field(m, v[3]);
        if (i > cur && !back) return null;
        var f = unsettle(m, v[2], at);
        at += widths(m).reduce(function (a, b) { return a + b; }, 0);
        return f;
      });
      if (at !== v[2].length) return null;
      return { cur: cur, back: back, badges: num(v[1], 0, Math.pow(2, course.badges.length) - 1), mods: mods };
    } catch (e) {
      if (e instanceof Bad) return null;
      throw e;
    }
  }

  CG.state = { encode: encode, decode: decode, fnv: fnv, quizOrder: quizOrder, choiceOrder: choiceOrder, PATH_MAX: PATH_MAX,
    mulberry32: mulberry32, bit: bit, setBit: setBit };
})(window.CG = window.CG || {});
