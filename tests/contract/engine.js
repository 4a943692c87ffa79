/* The contract cases through the learner's runtime, under node, without a browser.

   node engine.js RUNTIME_DIR < jobs.json > results.json

   Loads RUNTIME_DIR/{state,expr,engine}.js into a fresh sandbox per case, with no DOM
   at all (scoring must not need one) and crypto answering the case's seeds in turn.
   Each job is { course: <course JSON>, seeds: [..], actions: [..] }; each action is
   one of: {op: choose, choice}, {op: answer, question, picks, response}, {op: next},
   {op: back}, {op: replay}, {op: again, module}, {op: resume}, {op: check}. Every `check` records what the
   learner and the LMS would see at that moment. Two more kinds of job serve the unit
   tests: { course, decode: <suspend_data> } and { expr: <tree>, values: {..} }. */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const dir = process.argv[2];
const sources = ['state.js', 'expr.js', 'engine.js'].map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);

function runtime(seeds) {
  const sandbox = {
    Math, JSON, Uint32Array,
    crypto: { getRandomValues(a) { if (!seeds.length) throw new Error('the case ran out of seeds'); a[0] = seeds.shift(); return a; } },
  };
  sandbox.window = sandbox; // the runtime files attach themselves to window.CG
  sandbox.CG = { now: () => 1764547200000 }; // a fixed clock: an attestation's moment is in its resume state
  vm.createContext(sandbox);
  for (const [name, code] of sources) vm.runInContext(code, sandbox, { filename: name });
  return sandbox.CG;
}

class CaseError extends Error {}

function play(job) {
  const CG = runtime(job.seeds.slice());
  const course = job.course, ms = course.modules;
  let eng = CG.engine(course, null);
  const checks = [], interactions = [];
  const record = (out) => out.rec.forEach((r) => interactions.push(r.id + ' ' + r.result));
  const here = () => ({ i: eng.st.cur, m: ms[eng.st.cur], x: eng.st.mods[eng.st.cur] });

  for (const [step, a] of job.actions.entries()) {
    const h = here(), where = 'action ' + (step + 1) + ' (' + a.op + ')';
    if (a.op === 'choose') {
      if (!h.m || h.m.kind !== 'scenario') throw new CaseError(where + ': not in a scenario');
      const c = h.m.nodes[h.x.n].choices[a.choice];
      if (!c || !eng.visible(c)) throw new CaseError(where + ': choice ' + a.choice + ' is not shown at node "' + h.m.nodes[h.x.n].id + '"');
      record(eng.choose(a.choice));
    } else if (a.op === 'answer') {
      if (!h.m || h.m.kind !== 'quiz' || h.x.l != null) throw new CaseError(where + ': no question is asked');
      const q = h.m.questions[eng.order(h.i).qs[h.x.q]];
      if (q.id !== a.question) throw new CaseError(where + ': the question shown is "' + q.id + '", not "' + a.question + '"');
      // Choice types tick options (a mask); the listed types take their response as it is.
      const choice = ['single', 'multiple', 'truefalse'].includes(q.type);
      record(eng.answer(choice ? a.picks.reduce((mask, k) => mask + Math.pow(2, k), 0) : a.response));
    } else if (a.op === 'attest' || a.op === 'decline') {
      if (!h.m || !h.m.attest || h.x.p !== h.m.pages.length - 1) throw new CaseError(where + ': no statement to confirm here');
      const out = eng.next(a.op === 'attest');
      if (out) record(out); // a required statement declined: no move, nothing recorded
    } else if (a.op === 'next' || a.op === 'back' || a.op === 'replay') {
      record(eng[a.op]());
    } else if (a.op === 'again') {
      const i = ms.findIndex((m) => m.id === a.module);
      if (eng.offered().indexOf(i) < 0) throw new CaseError(where + ': the results do not offer "' + a.module + '"');
      record(eng.retake(i));
    } else if (a.op === 'resume') {
      const data = CG.state.encode(course, eng.st), st = CG.state.decode(course, data);
      if (!st) throw new CaseError(where + ': the runtime cannot read back its own resume data ' + data);
      eng = CG.engine(course, st);
      if (!eng.consistent()) throw new CaseError(where + ': resumed data is inconsistent: ' + data);
      if (CG.state.encode(course, eng.st) !== data) throw new CaseError(where + ': resuming changed the state ' + data);
    } else if (a.op === 'check') {
      const x = eng.st.mods[eng.st.cur], scenario = eng.st.cur < ms.length && ms[eng.st.cur].kind === 'scenario';
      checks.push({
        points: scenario ? x.p : null,
        score: eng.score(),
        percent: eng.percent(),
        completed: eng.completed(),
        passed: eng.passedCourse(),
        badges: course.badges.filter((b, k) => CG.state.bit(eng.st.badges, k)).map((b) => b.id),
        modules: Object.fromEntries(ms.map((m, k) => [m.id, {
          score: eng.mscore(k), percent: eng.mpercent(k), outcome: eng.outcome(k), passed: eng.passed(k),
          finished: eng.finished(k) }])),
        shown: scenario ? ms[eng.st.cur].nodes[x.n].choices.map((c, k) => (eng.visible(c) ? k : -1)).filter((k) => k >= 0) : null,
        order: scenario ? eng.order(eng.st.cur)[x.n].filter((k) => eng.visible(ms[eng.st.cur].nodes[x.n].choices[k])) : null,
        offered: eng.offered().map((k) => ms[k].id),
        state: CG.state.encode(course, eng.st).split('|')[2],
        interactions: interactions.slice(),
      });
    } else {
      throw new CaseError(where + ': unknown action');
    }
  }
  return { checks };
}

// Resume data read back by the runtime: the state it would resume from, or null.
function decode(job) {
  return { state: runtime([]).state.decode(job.course, job.decode) };
}

// An expression tree evaluated by the runtime with fixed values for its names.
function evaluate(job) {
  const v = job.values, env = {
    percent: () => v.percent, score: () => v.score, flag: (i) => v.flags[i],
    module: (i, p) => v.modules[i][p],
  };
  return { value: runtime([]).expr.ev(job.expr, env) };
}

const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = jobs.map((job) => {
  try {
    return 'decode' in job ? decode(job) : 'expr' in job ? evaluate(job) : play(job);
  } catch (e) {
    return { error: e instanceof CaseError ? e.message : String(e && e.stack || e) };
  }
});
process.stdout.write(JSON.stringify(results));
