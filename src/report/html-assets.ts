import { createHash } from 'node:crypto';

/**
 * The style sheet and the script of the HTML report, inline in every file (no network fetch). Both are
 * plain ASCII and contain no `</`: they go verbatim inside `<style>` and `<script>`, and the report's
 * Content-Security-Policy allows exactly these two by their SHA-256 hashes.
 */

/** Light and dark colours, phone-first layout, severity badges and the chart's bar colours. */
export const REPORT_STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--critical:#a0111f;--high:#bc4c00;--medium:#9a6700;--low:#0b62c4;--info:#6e7781;--new:#8250df;--accent:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--card:#151b23;
--critical:#ff6a77;--high:#ff9b52;--medium:#d9b23a;--low:#58a6ff;--info:#9198a1;--new:#ab7df8;--accent:#4493f8}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif}
main{max-width:1120px;margin:0 auto;padding:12px 14px 40px}
h1{font-size:1.3rem;margin:.2rem 0 .4rem;overflow-wrap:anywhere}
h2{font-size:1.1rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:.9rem 0 .3rem}
p{margin:.35rem 0}
a{color:var(--accent)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
code{overflow-wrap:anywhere}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:28rem}
.muted{color:var(--mute)}
.small{font-size:.87rem}
.status{display:inline-block;font-weight:700;border-radius:4px;padding:1px 8px;border:2px solid currentColor}
.status-complete{color:var(--low)}.status-partial{color:var(--high)}.status-failed{color:var(--critical)}
.headline{font-size:1.08rem;font-weight:600}
.notice{border-left:4px solid var(--high);background:var(--card);padding:8px 10px;margin:.6rem 0;border-radius:0 6px 6px 0}
.notice.failed{border-color:var(--critical)}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:.5rem 0;font-size:.92rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:8px;margin:.7rem 0}
.card{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--info);border-radius:6px;padding:6px 10px;font-size:.9rem}
.card b{font-size:1.3rem;line-height:1.2}
.card span{display:block;color:var(--mute);font-size:.85rem}
.c-critical{border-top-color:var(--critical)}.c-high{border-top-color:var(--high)}.c-medium{border-top-color:var(--medium)}
.c-low{border-top-color:var(--low)}
.sev{display:inline-block;min-width:4.6em;text-align:center;border-radius:4px;padding:0 5px;font-size:.76rem;font-weight:700;
letter-spacing:.02em;color:var(--bg);background:var(--info);text-transform:uppercase;vertical-align:1px}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}
.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.new{display:inline-block;border-radius:4px;padding:0 5px;font-size:.76rem;font-weight:700;color:var(--bg);background:var(--new);vertical-align:1px}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;
display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:2px 10px;align-items:center}
.filters legend{float:left;margin-right:6px;font-weight:600;font-size:.9rem}
.filters label{white-space:nowrap;font-size:.92rem}
.filters input[type=search]{flex:1 1 14rem;min-width:0;font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.filters select{font:inherit;max-width:100%;padding:4px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
button{font:inherit;font-size:.9rem;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}
button:hover{border-color:var(--accent)}
.count{color:var(--mute);font-size:.8rem}
#shown{margin:.5rem 0;color:var(--mute);font-size:.9rem}
ol.roles{list-style:none;margin:0;padding:0}
ol.roles>li{border-bottom:1px solid var(--line)}
details>summary{cursor:pointer}
.sum{display:flex;flex-wrap:wrap;gap:2px 8px;align-items:baseline;padding:7px 2px;cursor:pointer}
.sum:hover{background:var(--card)}
.sum:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
.rank{color:var(--mute);min-width:2.6em;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.rank::before{content:"\\25B8\\00A0";color:var(--mute)}
.sum[aria-expanded=true] .rank::before{content:"\\25BE\\00A0"}
.name{font-weight:650;overflow-wrap:anywhere;min-width:0}
.meta{flex:1 1 100%;padding-left:3.1em;color:var(--mute);font-size:.88rem;overflow-wrap:anywhere}
.body{padding:2px 4px 12px 3.1em}
.finding{border-left:3px solid var(--line);padding:2px 0 2px 10px;margin:.7rem 0}
.finding.f-critical{border-color:var(--critical)}.finding.f-high{border-color:var(--high)}.finding.f-medium{border-color:var(--medium)}
.finding.f-low{border-color:var(--low)}
.ev{margin:.3rem 0;padding-left:1.1rem}
.ev li{margin:.2rem 0;overflow-wrap:anywhere}
.chips code{display:inline-block;background:var(--card);border:1px solid var(--line);border-radius:4px;padding:0 4px;margin:1px 2px}
.fix{font-weight:600}
ul.plain{margin:.3rem 0;padding-left:1.1rem}
ul.plain li{overflow-wrap:anywhere;margin:.15rem 0}
.bars{display:grid;gap:2px}
.bar{display:grid;grid-template-columns:minmax(9rem,15rem) 1fr minmax(9rem,auto);gap:4px 10px;align-items:center;width:100%;
text-align:left;background:none;border:0;border-radius:4px;padding:3px 4px}
.bar:hover{background:var(--card)}
.bar svg{display:block;width:100%;height:14px}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;font-size:.85rem;color:var(--mute);margin:.3rem 0}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;vertical-align:-1px;margin-right:3px}
.b-critical{fill:var(--critical);background:var(--critical)}.b-high{fill:var(--high);background:var(--high)}
.b-medium{fill:var(--medium);background:var(--medium)}.b-low{fill:var(--low);background:var(--low)}.b-info{fill:var(--info);background:var(--info)}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.mono{overflow-wrap:anywhere}
footer{margin-top:2rem;color:var(--mute);font-size:.85rem;overflow-wrap:anywhere}
@media (max-width:640px){
body{font-size:14px}main{padding:8px 10px 32px}
.cards{grid-template-columns:repeat(2,1fr);gap:6px}.card{padding:4px 8px}.card b{font-size:1.1rem}
h1{font-size:1.1rem}.headline{font-size:1rem}
.bar{grid-template-columns:1fr auto}.bar svg{grid-column:1/-1;grid-row:2}
.meta,.body{padding-left:.3em}.rank{min-width:0;text-align:left}
.filters{position:static}
table,tbody,tr,td{display:block}thead{display:none}tr{border-bottom:1px solid var(--line);padding:4px 0}td{border:0;padding:1px 0}
}
`;

/**
 * Filters (severity, rule, text, new only) over the fix plan's rows, kept in the URL fragment so a view
 * can be reloaded or shared; roles folded open on demand, rendered from the embedded report data with
 * `textContent` only (names come from audited accounts); long lists shown in pages.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var doc = document;
  var list = doc.getElementById('roles');
  var form = doc.getElementById('filters');
  function ready() {
    doc.documentElement.setAttribute('data-ready', '1');
    if (window.performance && performance.mark) performance.mark('report-ready');
  }
  if (!list || !form) {
    ready();
    return;
  }
  var rows = Array.prototype.slice.call(list.children);
  var PAGE = Number(list.getAttribute('data-page')) || 50;
  var limit = PAGE;
  var data = null;
  var texts = null;
  var SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

  function report() {
    if (!data) data = JSON.parse(doc.getElementById('report-data').textContent);
    return data;
  }

  /* The data follows this script: until the browser has read it, work that needs it waits. */
  function withData(callback) {
    if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', callback);
    else callback();
  }

  function h(tag, className, text) {
    var element = doc.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }

  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      parent.appendChild(typeof child === 'string' ? doc.createTextNode(child) : child);
    }
    return parent;
  }

  function plural(count, noun) {
    return count.toLocaleString('en-US') + ' ' + noun + (count === 1 ? '' : 's');
  }

  var tokens = rows.map(function (row) {
    return (row.getAttribute('data-m') || '').split(' ').filter(Boolean).map(function (token) {
      var cut = token.lastIndexOf(':');
      return [token.slice(0, cut), token.slice(cut + 1)];
    });
  });

  function functionName(arn) {
    var parts = String(arn).split(':');
    var name = parts[6] || String(arn);
    return parts[7] ? name + ' version ' + parts[7] : name;
  }

  function searchText(index) {
    if (!texts) {
      var all = report();
      texts = all.plan.map(function (entry) {
        var parts = [entry.role];
        (entry.functions || []).forEach(function (arn) { parts.push(arn); });
        entry.findings.forEach(function (at) {
          var finding = all.findings[at];
          parts.push(finding.ruleId, finding.title, finding.message, finding.functionName || '');
          (finding.evidence || []).forEach(function (evidence) {
            if (evidence.policy) parts.push(evidence.policy);
            (evidence.variables || []).forEach(function (name) { parts.push(name); });
          });
        });
        return parts.join('\\n').toLowerCase();
      });
    }
    return texts[index] || '';
  }

  var state = { severities: {}, rule: '', text: '', onlyNew: false };

  function readForm() {
    SEVERITIES.forEach(function (severity) {
      var box = form.querySelector('input[name=sev][value=' + severity + ']');
      state.severities[severity] = !box || box.checked;
    });
    state.rule = form.elements.rule ? form.elements.rule.value : '';
    state.text = (form.elements.q ? form.elements.q.value : '').trim().toLowerCase();
    state.onlyNew = Boolean(form.elements.onlyNew && form.elements.onlyNew.checked);
  }

  function matches(index) {
    var found = tokens[index].some(function (token) {
      return state.severities[token[1]] && (!state.rule || state.rule === token[0]);
    });
    if (!found) return false;
    if (state.onlyNew && rows[index].getAttribute('data-new') !== '1') return false;
    return !state.text || searchText(index).indexOf(state.text) !== -1;
  }

  var shown = doc.getElementById('shown');
  var more = doc.getElementById('more');
  var all = doc.getElementById('all');
  var none = doc.getElementById('none');

  var waiting = false;

  function apply() {
    if (state.text && !texts && doc.readyState === 'loading') {
      shown.textContent = 'Reading the report...';
      if (!waiting) {
        waiting = true;
        withData(function () { waiting = false; apply(); });
      }
      return;
    }
    var matched = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = matches(i);
      if (ok) matched++;
      var visible = ok && matched <= limit;
      if (rows[i].hidden === visible) rows[i].hidden = !visible;
    }
    var visibleCount = Math.min(matched, limit);
    var filtered = matched !== rows.length;
    shown.textContent = 'Showing ' + visibleCount.toLocaleString('en-US') + ' of ' +
      (filtered ? matched.toLocaleString('en-US') + ' matching (' + plural(rows.length, 'role') + ' to fix)' : plural(rows.length, 'role') + ' to fix');
    more.hidden = all.hidden = matched <= limit;
    more.textContent = 'Show ' + Math.min(PAGE * 4, matched - limit).toLocaleString('en-US') + ' more';
    all.textContent = 'Show all ' + matched.toLocaleString('en-US');
    none.hidden = matched !== 0 || rows.length === 0;
  }

  function saveHash() {
    var params = [];
    var off = SEVERITIES.filter(function (severity) { return !state.severities[severity]; });
    if (off.length) params.push('sev=' + SEVERITIES.filter(function (severity) { return state.severities[severity]; }).join(','));
    if (state.rule) params.push('rule=' + encodeURIComponent(state.rule));
    if (state.text) params.push('q=' + encodeURIComponent(state.text));
    if (state.onlyNew) params.push('new=1');
    try {
      history.replaceState(null, '', params.length ? '#' + params.join('&') : location.pathname + location.search);
    } catch (error) {
      /* a file opened from a sandbox may not allow it: the filters still work */
    }
  }

  function loadHash() {
    var hash = location.hash.replace(/^#/, '');
    if (!hash || hash.indexOf('=') === -1) return;
    hash.split('&').forEach(function (pair) {
      var cut = pair.indexOf('=');
      var key = pair.slice(0, cut);
      var value = decodeURIComponent(pair.slice(cut + 1));
      if (key === 'sev') {
        var on = value.split(',');
        SEVERITIES.forEach(function (severity) {
          var box = form.querySelector('input[name=sev][value=' + severity + ']');
          if (box) box.checked = on.indexOf(severity) !== -1;
        });
      } else if (key === 'rule' && form.elements.rule) {
        form.elements.rule.value = value;
        if (form.elements.rule.value !== value) form.elements.rule.value = '';
      } else if (key === 'q' && form.elements.q) {
        form.elements.q.value = value;
      } else if (key === 'new' && form.elements.onlyNew) {
        form.elements.onlyNew.checked = value === '1';
      }
    });
  }

  function changed() {
    limit = PAGE;
    readForm();
    apply();
    saveHash();
  }

  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(changed, 0); });
  more.addEventListener('click', function () { limit += PAGE * 4; apply(); });
  all.addEventListener('click', function () { limit = Infinity; apply(); });
  doc.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.key === '/' && target && !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
      event.preventDefault();
      form.elements.q.focus();
    }
  });

  var chart = doc.getElementById('chart');
  if (chart) chart.addEventListener('click', function (event) {
    var bar = event.target.closest ? event.target.closest('[data-rule]') : null;
    if (!bar) return;
    form.elements.rule.value = bar.getAttribute('data-rule');
    changed();
    doc.getElementById('plan').scrollIntoView();
  });

  /* Lists longer than a page show their first items and a button for the rest. */
  function paged(items, first, render, container) {
    var at = 0;
    var button = null;
    function next(count) {
      var end = Math.min(items.length, at + count);
      for (; at < end; at++) container.appendChild(render(items[at], at));
      if (at < items.length) {
        if (!button) {
          button = h('button', 'more');
          button.type = 'button';
          button.addEventListener('click', function () { next(Infinity); });
        }
        button.textContent = 'Show ' + (items.length - at).toLocaleString('en-US') + ' more';
        container.appendChild(button);
      } else if (button && button.parentNode) {
        button.parentNode.removeChild(button);
      }
    }
    next(first);
    return container;
  }

  function chipList(label, items) {
    if (!items || !items.length) return null;
    var item = add(h('li', 'chips'), h('span', 'muted', label + ': '));
    return paged(items, 12, function (text) { return h('code', null, text); }, item);
  }

  function evidenceList(evidence) {
    if (!evidence || !evidence.length) return null;
    var ul = h('ul', 'ev');
    evidence.forEach(function (entry) {
      var where = [];
      if (entry.policy) where.push('policy ' + entry.policy);
      if (entry.statement) where.push('statement ' + entry.statement);
      if (where.length) ul.appendChild(h('li', null, where.join(', ')));
      add(ul,
        chipList('actions', entry.actions),
        chipList('granted actions', entry.matchedActions),
        chipList('resources', entry.resources),
        chipList('principals', entry.principals),
        chipList('variables', entry.variables),
        chipList('functions', entry.functions),
        chipList('services', entry.services));
      if (entry.detail) ul.appendChild(h('li', null, entry.detail));
    });
    return ul;
  }

  function badge(severity, conditional) {
    return h('span', 'sev sev-' + severity, severity + (conditional ? '*' : ''));
  }

  function heading(finding, suffix) {
    return add(h('p'), badge(finding.severity, finding.conditional), ' ', h('code', null, finding.ruleId),
      finding.status === 'new' ? ' ' : null, finding.status === 'new' ? h('span', 'new', 'NEW') : null,
      ' ', h('b', null, finding.title), suffix ? ' ' + suffix : null);
  }

  function roleFinding(finding) {
    return add(h('div', 'finding f-' + finding.severity), heading(finding), h('p', null, finding.message),
      evidenceList(finding.evidence),
      finding.conditional ? h('p', 'muted small', '* conditional: granted only under a policy Condition; severity lowered one level.') : null,
      h('p', 'small', 'Fix: ' + finding.remediation));
  }

  function functionGroup(findings) {
    var first = findings[0];
    var isNew = findings.some(function (finding) { return finding.status === 'new'; });
    var head = heading({ severity: first.severity, ruleId: first.ruleId, title: first.title, status: isNew ? 'new' : '' },
      '(' + plural(findings.length, 'function') + ')');
    var ul = paged(findings, 20, function (finding) {
      var variables = [];
      (finding.evidence || []).forEach(function (evidence) { variables = variables.concat(evidence.variables || []); });
      return add(h('li'), h('b', null, functionName(finding.functionArn)),
        finding.status === 'new' ? ' ' : null, finding.status === 'new' ? h('span', 'new', 'NEW') : null,
        h('span', 'muted', ' ' + finding.region + ': '), finding.message,
        variables.length ? h('span', 'muted', ' (variables: ' + variables.join(', ') + ')') : null);
    }, h('ul', 'plain'));
    return add(h('div', 'finding f-' + first.severity), head, h('p', 'small', 'Fix: ' + first.remediation), ul);
  }

  function proposal(entry) {
    if (!entry) return null;
    var box = add(h('details'), h('summary', null, 'Proposed policy (proven to allow nothing new)'));
    var removed = entry.removed || {};
    if (removed.services && removed.services.length)
      box.appendChild(h('p', 'small', 'Removes services: ' + removed.services.join(', ')));
    if (removed.actions && removed.actions.length)
      box.appendChild(add(h('p', 'small', 'Removes actions: '), paged(removed.actions, 20, function (text) { return h('code', null, text + ' '); }, h('span', 'chips'))));
    box.appendChild(h('pre', null, JSON.stringify(entry.policy, null, 2)));
    return box;
  }

  function renderRole(index) {
    var all = report();
    var entry = all.plan[index];
    var findings = entry.findings.map(function (at) { return all.findings[at]; });
    var body = doc.createDocumentFragment();
    add(body, add(h('p', 'small'), h('span', 'muted', 'Role '), h('code', null, entry.role)));
    if (entry.fix !== undefined && all.findings[entry.fix])
      body.appendChild(h('p', 'fix', 'Fix first: ' + all.findings[entry.fix].remediation));
    var group = [];
    function flush() {
      if (group.length) body.appendChild(functionGroup(group));
      group = [];
    }
    findings.forEach(function (finding) {
      if (finding.subject === 'role') {
        flush();
        body.appendChild(roleFinding(finding));
      } else {
        if (group.length && group[0].ruleId !== finding.ruleId) flush();
        group.push(finding);
      }
    });
    flush();
    var functions = entry.functions || [];
    if (functions.length) {
      var box = add(h('details'), h('summary', null, 'Functions running as this role (' + functions.length.toLocaleString('en-US') + ')'));
      box.appendChild(paged(functions, 50, function (arn) {
        return add(h('li'), functionName(arn), h('span', 'muted', ' ' + (String(arn).split(':')[3] || '')));
      }, h('ul', 'plain')));
      body.appendChild(box);
    }
    add(body, proposal(entry.proposal));
    return body;
  }

  function toggle(summary) {
    var row = summary.parentNode;
    var open = summary.getAttribute('aria-expanded') !== 'true';
    summary.setAttribute('aria-expanded', open ? 'true' : 'false');
    var body = row.querySelector('.body');
    if (body) {
      body.hidden = !open;
      return;
    }
    body = h('div', 'body', 'Reading the report...');
    row.appendChild(body);
    withData(function () {
      body.textContent = '';
      body.appendChild(renderRole(Number(row.getAttribute('data-i'))));
    });
  }

  list.addEventListener('click', function (event) {
    var summary = event.target.closest ? event.target.closest('.sum') : null;
    if (summary && list.contains(summary)) toggle(summary);
  });
  list.addEventListener('keydown', function (event) {
    var summary = event.target;
    if (!summary.classList || !summary.classList.contains('sum')) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      toggle(summary);
    }
  });

  /* Static sections show their first items; the rest comes from the report data on request. */
  var renderers = {
    muted: function (finding) {
      var muting = finding.muted || {};
      var details = [];
      if (muting.until) details.push('until ' + muting.until);
      if (muting.owner) details.push('owner ' + muting.owner);
      details.push(muting.source === 'tag' ? 'role tag' : 'suppressions file');
      return add(h('li'), badge(finding.severity, finding.conditional), ' ', h('code', null, finding.ruleId), ' ',
        finding.subject === 'role' ? 'role ' + String(finding.roleArn).split('/').pop() : functionName(finding.functionArn),
        ': ' + (muting.reason || 'no reason given') + ' (' + details.join(', ') + ')');
    },
    resolved: function (fixed) {
      return add(h('li'), badge(fixed.severity), ' ', h('code', null, fixed.ruleId), ' ',
        fixed.subject === 'function' ? (fixed.functionName || '') : 'role ' + String(fixed.roleArn).split('/').pop(),
        ': ' + fixed.title);
    },
    errors: function (error) {
      return add(h('tr'), h('td', null, error.scope), h('td', 'mono', error.arn), h('td', null, error.code), h('td', null, error.message));
    }
  };
  Array.prototype.forEach.call(doc.querySelectorAll('button[data-rest]'), function (button) {
    button.addEventListener('click', function () { withData(function () {
      var kind = button.getAttribute('data-rest');
      var from = Number(button.getAttribute('data-from'));
      var target = doc.getElementById(button.getAttribute('data-target'));
      var all = report();
      var items = kind === 'muted'
        ? all.findings.filter(function (finding) { return finding.muted; })
        : all[kind] || [];
      for (var i = from; i < items.length; i++) target.appendChild(renderers[kind](items[i]));
      if (button.parentNode) button.parentNode.removeChild(button);
    }); });
  });

  loadHash();
  readForm();
  apply();
  ready();
})();
`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/**
 * The report's Content-Security-Policy: nothing may load or connect anywhere; only the inline style
 * sheet and script above (by hash) run, and images only from `data:` (the empty favicon).
 */
export const REPORT_CSP =
  `default-src 'none'; style-src 'sha256-${sha256(REPORT_STYLE)}'; ` +
  `script-src 'sha256-${sha256(REPORT_SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
