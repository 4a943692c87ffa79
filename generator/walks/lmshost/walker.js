/* The in-page half of a branch walk: plays a list of steps planned by the
   compiler (generator/walker.py) through the public test hooks only, in one
   round trip. Clicks as a learner could: the element must be shown, enabled
   and on top at its centre. Returns what happened, or where it diverged. */
async (plan) => {
  const deadline = (ms) => Date.now() + ms;
  const current = () => document.querySelector('[data-view]');
  const info = (v) => v && {view: v.getAttribute('data-view'), node: v.getAttribute('data-node'),
    question: v.getAttribute('data-question'),
    choices: [...v.querySelectorAll('button[data-choice]')].filter((b) => b.checkVisibility())
      .map((b) => +b.getAttribute('data-choice'))};
  const events = [];
  class Stop extends Error {}
  let step = -1, wrongView = false;
  const fail = (message) => { throw new Stop(message); };

  async function settle(old) {
    // Views render synchronously in the click handler; allow a later render too.
    const until = deadline(plan.timeout);
    while (!current() || current() === old) {
      if (Date.now() > until) fail('the page did not move on within ' + plan.timeout + ' ms');
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    measure(current());
    return current();
  }
  // With a narrow viewport, every view is measured: a phone must never scroll sideways. On a
  // phone (plan.phone) also: the page header at most 72 px high, every control at least 44 px
  // each way, no word split across lines in a table cell, and the first scenario node's first
  // choice above the fold.
  let firstNode = true;
  function measure(v) {
    if (!plan.overflow && !plan.phone) return;
    const page = document.scrollingElement, where = info(v).view + (info(v).node ? ' "' + info(v).node + '"' : '');
    if (page.scrollWidth > page.clientWidth)
      events.push({step: step, overflow: where, width: page.scrollWidth, viewport: page.clientWidth});
    if (!plan.phone) return;
    const phone = (problem) => events.push({step: step, phone: where, problem: problem});
    const header = document.querySelector('header');
    if (header && header.getBoundingClientRect().height > 72)
      phone('the header is ' + Math.round(header.getBoundingClientRect().height) + ' px high (at most 72)');
    for (const el of document.querySelectorAll('button, input, select, textarea, summary, [role="button"]')) {
      if (!el.checkVisibility()) continue;
      const box = ((el.labels && el.labels[0]) || el).getBoundingClientRect();
      if (box.width < 44 || box.height < 44)
        phone('"' + (el.textContent.trim() || el.getAttribute('aria-label') || el.tagName) + '" is a ' +
              Math.round(box.width) + ' x ' + Math.round(box.height) + ' px tap target (at least 44 x 44)');
    }
    for (const cell of document.querySelectorAll('td, th')) {
      if (!cell.checkVisibility() || cell.getBoundingClientRect().width < 2) continue; // a header row kept for screen readers
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let t = walk.nextNode(); t; t = walk.nextNode()) {
        // A compound's own hyphen ("Launch-Termine") is a place to break: each part is a word.
        for (const m of t.data.matchAll(/[^\s\-\u2010]+[\-\u2010]?/g)) {
          const range = document.createRange();
          range.setStart(t, m.index);
          range.setEnd(t, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) phone('the word "' + m[0] + '" breaks across lines in a table cell');
        }
      }
    }
    // The fold is the 360 x 740 phone's promise (docs/accessibility.md); a narrower one scrolls to the choices.
    if (info(v).view === 'node' && firstNode && innerWidth >= 360) {
      firstNode = false;
      const choice = [...v.querySelectorAll('[data-choice]')].find((b) => b.checkVisibility());
      if (choice && choice.getBoundingClientRect().bottom > innerHeight)
        phone('the first choice ends ' + Math.round(choice.getBoundingClientRect().bottom) + ' px down, below the fold at ' +
              innerHeight + ' px');
    }
  }
  // Pressed as a finger would: nothing may lie over its centre or its corners.
  function press(selector, what) {
    const all = [...document.querySelectorAll(selector)];
    const el = all.find((e) => e.checkVisibility());
    if (!el) fail(all.length ? what + ' is not visible' : 'no ' + what + ' on this view');
    let box = el.getBoundingClientRect();
    // Scrolled to, as a finger would, only when not wholly on screen (a scroll costs the page a new layout).
    if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
      el.scrollIntoView({block: 'center'});
      box = el.getBoundingClientRect();
    }
    if (el.disabled) fail(what + ' is disabled');
    const label = el.labels && el.labels[0];
    const inset = Math.min(3, box.width / 4, box.height / 4);
    for (const [x, y] of [[box.left + box.width / 2, box.top + box.height / 2], [box.left + inset, box.top + inset],
      [box.right - inset, box.top + inset], [box.left + inset, box.bottom - inset], [box.right - inset, box.bottom - inset]]) {
      const top = document.elementFromPoint(x, y);
      if (top && top !== el && !el.contains(top) && !(label && (label === top || label.contains(top))))
        fail(what + ' is covered by ' + top.outerHTML.slice(0, 80));
    }
    el.click();
  }
  function shown(selector, what) {
    const el = [...document.querySelectorAll(selector)].find((e) => e.checkVisibility());
    if (!el) fail('no visible ' + what + ' on this view');
    return el;
  }
  // A response entered as a learner would: options ticked; a match picked in each situation's
  // select list; steps moved up with their buttons until in the order wanted; an answer typed.
  function enter(type, qid, picks) {
    const hook = (n) => '[data-option="' + qid + ':' + n + '"]';
    if (type === 'matching') {
      picks.forEach((target, k) => {
        const sel = shown('select' + hook(k), 'select list ' + k);
        sel.focus();
        sel.value = String(target);
        sel.dispatchEvent(new Event('change', {bubbles: true}));
      });
    } else if (type === 'sequencing') {
      const order = () => [...document.querySelectorAll('li[data-option^="' + qid + ':"]')]
        .map((li) => +li.getAttribute('data-option').split(':')[1]);
      picks.forEach((item, place) => {
        for (let guard = 0; order().indexOf(item) > place; guard++) {
          if (guard > picks.length) fail('step ' + item + ' does not move up');
          press(hook(item) + ' [data-move="up"]', 'the move-up button of step ' + item);
        }
      });
      if (order().join() !== picks.join()) fail('the steps show in the order [' + order() + '], not [' + picks + ']');
    } else if (type === 'fill-in') {
      const input = shown('input' + hook(0), 'answer field');
      input.focus();
      input.value = picks;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    } else {
      for (const pick of picks) press(hook(pick), 'option ' + pick);
    }
  }
  async function moveOn(selector, what) {
    const old = current();
    press(selector, what);
    return settle(old);
  }
  async function next(what) {
    const shown = [...document.querySelectorAll('[data-action="next"]')].filter((b) => b.checkVisibility());
    if (shown.length !== 1) fail('expected one visible next button on ' + what + ', found ' + shown.length);
    return moveOn('[data-action="next"]', 'the next button');
  }
  function expect(v, kind, id) {
    const seen = info(v);
    if (!seen || seen.view !== kind || (id != null && (seen.node || seen.question) !== id)) {
      wrongView = true;
      fail('expected ' + kind + (id != null ? ' "' + id + '"' : '') + ', the page shows ' +
           (seen ? seen.view + (seen.node || seen.question ? ' "' + (seen.node || seen.question) + '"' : '') : 'nothing'));
    }
    return seen;
  }

  try {
    let v = current() || await settle(null);
    measure(v);
    for (step = 0; step < plan.steps.length; step++) {
      const s = plan.steps[step];
      if (s.op === 'cover') {
        expect(v, 'cover');
        v = await next('the cover');
      } else if (s.op === 'page') {
        expect(v, 'lesson');
        if (s.attest === true) press('[data-attest]', 'the attestation checkbox');
        if (s.attest === false && s.required) {
          // Not confirmed, a required statement keeps the learner here and says why.
          press('[data-action="next"]', 'the next button');
          await new Promise((resolve) => requestAnimationFrame(resolve));
          if (current() !== v || !v.querySelector('[data-attest]') || !v.querySelector('.attest .err').textContent)
            fail('a required attestation let the learner move on without confirming');
          events.push({step: step, refused: true});
          continue;
        }
        v = await next('a lesson page');
      } else if (s.op === 'choose') {
        const seen = expect(v, 'node', s.node);
        if (!seen.choices.includes(s.choice))
          fail('choice ' + s.choice + ' should be shown; the page shows choices [' + seen.choices + ']');
        v = await moveOn('[data-view="node"] [data-choice="' + s.choice + '"]', 'choice ' + s.choice);
      } else if (s.op === 'ending') {
        expect(v, 'ending', s.node);
        v = await next('the ending');
      } else if (s.op === 'replay') {
        expect(v, 'ending', s.node);
        v = await moveOn('[data-action="replay"]', 'the replay button');
      } else if (s.op === 'question') {
        while (info(v).view === 'feedback') v = await next('feedback');
        const seen = expect(v, 'question');
        const q = s.questions[seen.question];
        if (!q) fail('question "' + seen.question + '" is not one of this quiz');
        const given = s.given && Object.prototype.hasOwnProperty.call(s.given, seen.question);
        const right = s.rightIds ? s.rightIds.includes(seen.question) : s.position < s.rightCount;
        const picks = given ? s.given[seen.question] : right ? q.right : q.wrong;
        enter(q.type, seen.question, picks);
        events.push({step: step, question: seen.question, picks: picks, right: right});
        v = await moveOn('[data-action="submit"]', 'the submit button');
      } else if (s.op === 'feedback') {
        while (info(v).view === 'feedback') v = await next('feedback');
      } else if (s.op === 'results') {
        expect(v, 'results');
      } else if (s.op === 'again') {
        expect(v, 'results');
        v = await moveOn('[data-view="results"] [data-action="' + s.action + '"][data-module="' + s.module + '"]',
          'the ' + s.action + ' button of "' + s.module + '"');
      }
    }
    return {ok: true, events: events};
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return {ok: false, step: step, message: e.message, wrongView: wrongView, events: events};
  }
}
