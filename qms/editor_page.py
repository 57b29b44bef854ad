"""The editor page's words, style and script (`qms serve --edit`, qms/edit.py).

The script draws the form from the JSON the server embeds, sends it to /__qms__/check as the
author types (findings come back at their fields) and to /__qms__/save with the session's
token; after a save the preview rebuilds and the diagram below the form is fetched again.
"""

from __future__ import annotations

WORDS = {
    "fi": {
        "edit": "Muokkaa",
        "back": "Takaisin sivulle",
        "save": "Tallenna",
        "saved": "Tallennettu.",
        "unchanged": "Ei muutoksia.",
        "checking": "Tarkistetaan…",
        "problems": "Havainnot",
        "none": "Ei havaintoja.",
        "conflict": "Tiedosto muuttui levyllä",
        "disk": "Levyllä nyt",
        "mine": "Lomakkeen versio",
        "diagram": "Kaavio",
        "add": "Lisää rivi",
        "remove": "Poista rivi",
        "up": "Siirrä ylös",
        "down": "Siirrä alas",
        "row": "rivi",
        "refused": "Tallennus estettiin",
        "errors": "Korjaa virheet ennen tallennusta.",
        "tools": "Järjestys",
        "preview": "Esikatselu: lomakkeen tallentamaton versio",
    },
    "en": {
        "edit": "Edit",
        "back": "Back to the page",
        "save": "Save",
        "saved": "Saved.",
        "unchanged": "No changes.",
        "checking": "Checking…",
        "problems": "Findings",
        "none": "No findings.",
        "conflict": "The file changed on disk",
        "disk": "On disk now",
        "mine": "The form's version",
        "diagram": "Diagram",
        "add": "Add a row",
        "remove": "Remove the row",
        "up": "Move up",
        "down": "Move down",
        "row": "row",
        "refused": "The save was refused",
        "errors": "Fix the errors before saving.",
        "tools": "Order",
        "preview": "Preview: the form's unsaved version",
    },
}

STYLE = """
body{font:15px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header{padding:.6em 1.2em;background:#1f3b57}
header a{color:#fff}
main{padding:0 1.2em 2em}
fieldset{border:1px solid #888;margin:1em 0;padding:.5em 1em;min-width:0}
legend{font-weight:bold}
.field{display:grid;grid-template-columns:14em 1fr;gap:.5em;margin:.3em 0;align-items:start}
input,textarea{font:inherit;padding:.2em .3em;border:1px solid #666;min-width:6em;width:100%;
 box-sizing:border-box}
textarea{min-height:3.2em}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid #999;padding:.15em;vertical-align:top}
td.tools{white-space:nowrap}
td input{min-width:7em}
th{background:#eee;text-align:left;font-size:.85em}
.scroll{overflow-x:auto;max-width:100%}
[aria-invalid=true]{border:2px solid #b00020;background:#fff0f0}
button{font:inherit;padding:.25em .7em;border:1px solid #1f3b57;background:#fff;color:#1f3b57;
 cursor:pointer}
#save{background:#1f3b57;color:#fff}
.error{color:#8b0000}.warning{color:#6b4500}
.both{display:grid;grid-template-columns:1fr 1fr;gap:1em}
pre{white-space:pre-wrap;border:1px solid #999;padding:.5em;max-height:30em;overflow:auto}
.file{color:#444}
.note{font-style:italic;color:#444}
#diagram svg{max-width:100%;height:auto}
"""

SCRIPT = r"""
(function () {
  var state = JSON.parse(document.getElementById('qms-form').textContent);
  var token = document.querySelector('meta[name=qms-token]').content;
  var root = document.getElementById('form');
  var timer = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function cellId(section, row, col) { return 'c-' + section + '-' + row + '-' + col; }
  function multiline(value) {
    return String(value).indexOf('\n') >= 0 || String(value).length > 60;
  }
  function input(section, row, col, column, value, label) {
    var e = multiline(value) ? el('textarea', {rows: 2}) : el('input', {type: 'text'});
    e.id = cellId(section.key, row, col);
    e.value = value === null || value === undefined ? '' : String(value);
    e.setAttribute('aria-label', label);
    if (column.choices) {
      var list = 'dl-' + section.key + '-' + col;
      if (!document.getElementById(list)) {
        var dl = el('datalist', {id: list});
        column.choices.forEach(function (c) { dl.appendChild(el('option', {value: c})); });
        document.body.appendChild(dl);
      }
      e.setAttribute('list', list);
    }
    e.addEventListener('input', function () {
      section.rows[row][col] = e.value; schedule();
    });
    return e;
  }
  function draw() {
    root.textContent = '';
    state.sections.forEach(function (section) {
      var box = el('fieldset'); box.appendChild(el('legend', {}, section.title));
      if (section.single) {
        var row = section.rows[0] || [];
        section.rows[0] = row;
        section.columns.forEach(function (column, col) {
          var line = el('div', {'class': 'field'});
          var label = el('label', {'for': cellId(section.key, 0, col)}, column.head);
          line.appendChild(label);
          line.appendChild(input(section, 0, col, column, row[col], column.head));
          box.appendChild(line);
        });
      } else {
        var wrap = el('div', {'class': 'scroll', tabindex: '0', role: 'region',
                              'aria-label': section.title});
        var table = el('table'); var head = el('tr');
        head.appendChild(el('th', {scope: 'col'}, '#'));
        section.columns.forEach(function (c) {
          head.appendChild(el('th', {scope: 'col'}, c.head));
        });
        head.appendChild(el('th', {scope: 'col'}, WORDS.tools));
        var thead = el('thead'); thead.appendChild(head); table.appendChild(thead);
        var body = el('tbody');
        section.rows.forEach(function (cells, r) {
          var tr = el('tr'); tr.appendChild(el('th', {scope: 'row'}, String(r + 1)));
          section.columns.forEach(function (column, col) {
            var td = el('td');
            td.appendChild(input(section, r, col, column, cells[col],
                                 column.head + ', ' + WORDS.row + ' ' + (r + 1)));
            tr.appendChild(td);
          });
          var tools = el('td', {'class': 'tools'});
          var where = ' (' + WORDS.row + ' ' + (r + 1) + ')';
          [['up', -1], ['down', 1]].forEach(function (m) {
            var b = el('button', {type: 'button', 'aria-label': WORDS[m[0]] + where},
                       m[1] < 0 ? '↑' : '↓');
            b.addEventListener('click', function () {
              var to = r + m[1]; if (to < 0 || to >= section.rows.length) return;
              var moved = section.rows.splice(r, 1)[0]; section.rows.splice(to, 0, moved);
              draw(); schedule();
            });
            tools.appendChild(b);
          });
          var del = el('button', {type: 'button', 'aria-label': WORDS.remove + where}, '✕');
          del.addEventListener('click', function () {
            section.rows.splice(r, 1); draw(); schedule();
          });
          tools.appendChild(del); tr.appendChild(tools); body.appendChild(tr);
        });
        table.appendChild(body); wrap.appendChild(table); box.appendChild(wrap);
        var add = el('button', {type: 'button', 'class': 'add', 'data-section': section.key},
                     WORDS.add);
        add.addEventListener('click', function () {
          section.rows.push(section.columns.map(function () { return ''; }));
          draw(); schedule();
          var first = document.getElementById(cellId(section.key, section.rows.length - 1, 0));
          if (first) first.focus();
        });
        box.appendChild(add);
      }
      root.appendChild(box);
    });
  }
  function payload() {
    var sections = {};
    state.sections.forEach(function (s) { sections[s.key] = s.rows; });
    return JSON.stringify({file: state.file, base: state.base, sections: sections});
  }
  function post(path) {
    return fetch(path, {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-QMS-Token': token}, body: payload()});
  }
  function show(problems) {
    document.querySelectorAll('[aria-invalid]').forEach(function (e) {
      e.removeAttribute('aria-invalid'); e.removeAttribute('aria-describedby');
    });
    var list = document.getElementById('problems'); list.textContent = '';
    if (!problems.length) { list.appendChild(el('li', {}, WORDS.none)); return; }
    problems.forEach(function (p, n) {
      var li = el('li', {'class': p.severity, id: 'problem-' + n});
      var m = /^(\w+):(\d+):(\d+)$/.exec(p.where);
      var target = m && document.getElementById(cellId(m[1], m[2], m[3]));
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        target.setAttribute('aria-describedby', 'problem-' + n);
        var go = el('a', {href: '#' + target.id}, target.getAttribute('aria-label'));
        li.appendChild(go); li.appendChild(document.createTextNode(': ' + p.text));
      } else {
        li.textContent = p.where + ': ' + p.text;
      }
      list.appendChild(li);
    });
  }
  function check() {
    document.getElementById('status').textContent = WORDS.checking;
    post('/__qms__/check').then(function (r) { return r.json(); }).then(function (answer) {
      show(answer.problems || []);
      document.getElementById('status').textContent = '';
      if (answer.preview) preview(answer.preview);
    });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(check, 400); }
  function preview(svgText) {
    var doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
    var svg = doc.documentElement;
    if (svg.nodeName !== 'svg') return;
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', WORDS.preview + ': ' + state.title);
    var box = document.getElementById('diagram'); box.textContent = '';
    box.appendChild(el('p', {'class': 'note'}, WORDS.preview));
    box.appendChild(document.importNode(svg, true));
  }
  function diagram() {
    fetch(state.page, {cache: 'no-store'}).then(function (r) {
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      var figure = doc.querySelector('figure.diagram.flow') || doc.querySelector('main table');
      var box = document.getElementById('diagram'); box.textContent = '';
      if (figure) box.appendChild(document.importNode(figure, true));
    });
  }
  document.getElementById('save').addEventListener('click', function () {
    var status = document.getElementById('status');
    post('/__qms__/save').then(function (r) {
      return r.json().then(function (answer) { return [r.status, answer]; });
    }).then(function (got) {
      var code = got[0], answer = got[1];
      show(answer.problems || []);
      if (code === 409) {
        document.getElementById('conflict').hidden = false;
        document.getElementById('disk').textContent = answer.disk;
        document.getElementById('mine').textContent = answer.mine;
        status.textContent = answer.message;
      } else if (code === 200) {
        state.base = answer.base;
        document.getElementById('conflict').hidden = true;
        status.textContent = answer.written ? WORDS.saved : WORDS.unchanged;
      } else {
        status.textContent = (code === 422 ? WORDS.errors : WORDS.refused + ' (' + code + ')');
      }
    });
  });
  var seen = null;
  var events = new EventSource('/__qms__/events');
  events.onmessage = function (event) {
    var s = JSON.parse(event.data);
    if (seen !== null && s.version !== seen) diagram();
    seen = s.version;
  };
  draw(); diagram(); check();
})();
"""
