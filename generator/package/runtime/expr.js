/* The `when`/`if` expression trees of docs/course-json.md, walked without eval.
   env supplies the values: percent(), score(), flag(i), module(i, prop). */
(function (CG) {
  'use strict';

  var CMP = {
    '==': function (a, b) { return a === b; },
    '!=': function (a, b) { return a !== b; },
    '<': function (a, b) { return a < b; },
    '<=': function (a, b) { return a <= b; },
    '>': function (a, b) { return a > b; },
    '>=': function (a, b) { return a >= b; }
  };
  var PROPS = { percent: 1, score: 1, outcome: 1, passed: 1 };

  function ev(t, env) {
    var op = t[0];
    if (op === 'lit') return t[1];
    if (op === 'percent' || op === 'score') return env[op]();
    if (op === 'flag') return env.flag(t[1]);
    if (op === 'module') return env.module(t[1], t[2]);
    if (op === 'not') return !ev(t[1], env);
    if (op === 'and') return !!(ev(t[1], env) && ev(t[2], env));
    if (op === 'or') return !!(ev(t[1], env) || ev(t[2], env));
    return CMP[op](ev(t[1], env), ev(t[2], env));
  }

  // Run once at start-up so a malformed tree stops the course with a message
  // instead of failing half-way through it.
  function check(t, nModules) {
    if (!Array.isArray(t)) throw new Error('Bad expression: ' + JSON.stringify(t));
    var op = t[0], ok;
    if (op === 'lit') ok = typeof t[1] === 'number' || typeof t[1] === 'string';
    else if (op === 'percent' || op === 'score') ok = t.length === 1;
    else if (op === 'flag') ok = t[1] >= 0;
    else if (op === 'module') ok = t[1] >= 0 && t[1] < nModules && PROPS[t[2]] === 1;
    else if (op === 'not') ok = check(t[1], nModules);
    else if (op === 'and' || op === 'or' || CMP.hasOwnProperty(op)) ok = check(t[1], nModules) && check(t[2], nModules);
    if (!ok) throw new Error('Bad expression: ' + JSON.stringify(t));
    return true;
  }

  CG.expr = { ev: ev, check: check };
})(window.CG = window.CG || {});
