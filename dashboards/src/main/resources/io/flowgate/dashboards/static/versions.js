// The Flow-versions view of Flowgate's dashboard: for one Flow, two versions side by side (funnel and time on
// screen, drawn with Chart.js) and the paths of one of them as a Sankey diagram in plain SVG. It plugs into
// dashboard.js's refresh loop through window.flowgateDashboard. Server values reach the page only through
// textContent, new Option() and the charts, never as HTML.
'use strict';

(function () {
  const dashboard = window.flowgateDashboard;
  if (!dashboard || typeof window.Chart === 'undefined') {
    return; // dashboard.js already says why nothing can be drawn
  }
  const h = dashboard.helpers;
  const SVG = 'http://www.w3.org/2000/svg';
  const START = '';
  const DROPPED = '(dropped off)';
  const versionColors = [['#4c78a8', '#9ecae9'], ['#f58518', '#ffbf79']];
  const state = { flow: null, a: null, b: null, paths: null };
  // read by the browser test: what the last Sankey drew
  const view = dashboard.versions = { nodes: 0, links: 0, backLinks: 0 };

  dashboard.panels.push(['versions', refreshVersions]);
  [['versions-flow', 'flow'], ['versions-a', 'a'], ['versions-b', 'b'], ['versions-paths', 'paths']].forEach(function (control) {
    h.byId(control[0]).addEventListener('change', function (event) {
      state[control[1]] = event.target.value;
      if (control[1] === 'flow') { state.a = null; state.b = null; state.paths = null; }
      refreshVersions().catch(function (error) { h.showError('versions', error.message); });
    });
  });

  function refreshVersions() {
    const query = {};
    ['flow', 'a', 'b'].forEach(function (key) { if (state[key] !== null) { query[key] = state[key]; } });
    return h.latest('versions', h.getJson('/api/versions', query)).then(function (answer) {
      if (answer === null) { return; }
      h.fillSelect(h.byId('versions-flow'), answer.flows.map(function (f) { return { value: f, text: f }; }), answer.flow);
      const options = answer.versions.map(function (v) { return { value: String(v), text: versionLabel(v) }; });
      const compared = answer.compared;
      h.fillSelect(h.byId('versions-a'), options, compared.length ? String(compared[0].version) : null);
      h.fillSelect(h.byId('versions-b'), options, compared.length ? String(compared[compared.length - 1].version) : null);
      // the paths of the version chosen, while it is one of the two compared; else of version B
      const pathVersions = compared.map(function (c) { return String(c.version); });
      const pathsOf = pathVersions.indexOf(state.paths) >= 0 ? state.paths : pathVersions[pathVersions.length - 1];
      h.fillSelect(h.byId('versions-paths'), compared.map(function (c) {
        return { value: String(c.version), text: versionLabel(c.version) };
      }), pathsOf);
      h.showEmpty('versions', compared.length === 0);
      if (compared.length === 0) {
        h.setText('versions-meta', '');
        return;
      }
      h.setText('versions-meta', compared.map(function (c) {
        return versionLabel(c.version) + ': ' + h.number.format(sessions(c)) + ' sessions';
      }).join(' · ') + ' (cohorts of the last 30 days) · updated ' + (answer.updated_at || '—').substring(0, 16) + ' UTC');
      drawFunnels(compared);
      drawTimes(compared);
      drawSankey(h.byId('versions-paths-svg'), compared[pathVersions.indexOf(pathsOf)]);
    });
  }

  function versionLabel(v) { return v === 0 ? 'unknown (v0)' : 'v' + v; }

  // sessions of a version: those reaching its most reached screen (the entry screen in a linear start)
  function sessions(c) {
    return c.funnel.reduce(function (max, s) { return Math.max(max, s.reached); }, 0);
  }

  function screensOf(compared, list) {
    const screens = [];
    compared.forEach(function (c) {
      c[list].forEach(function (s) { if (screens.indexOf(s.screen) < 0) { screens.push(s.screen); } });
    });
    return screens;
  }

  function find(rows, screen) {
    return rows.find(function (r) { return r.screen === screen; }) || null;
  }

  function drawFunnels(compared) {
    const screens = screensOf(compared, 'funnel');
    const datasets = [];
    compared.forEach(function (c, i) {
      const total = sessions(c) || 1;
      datasets.push({
        type: 'bar', label: versionLabel(c.version) + ' reached', backgroundColor: versionColors[i][0], yAxisID: 'y',
        data: screens.map(function (s) { const row = find(c.funnel, s); return row ? row.reached / total : 0; })
      });
      datasets.push({
        type: 'line', label: versionLabel(c.version) + ' drop rate', borderColor: versionColors[i][1],
        backgroundColor: versionColors[i][1], yAxisID: 'y',
        data: screens.map(function (s) { const row = find(c.funnel, s); return row ? row.drop_rate : null; })
      });
    });
    h.upsertChart('versions-funnel', 'versions-funnel-chart', {
      type: 'bar',
      data: { labels: screens, datasets: datasets },
      options: {
        scales: { y: { min: 0, max: 1, ticks: { callback: function (v) { return h.percent.format(v); } },
          title: { display: true, text: 'share of the version\'s sessions' } } },
        plugins: { tooltip: { callbacks: {
          label: function (context) { return context.dataset.label + ': ' + h.percent.format(context.raw); },
          afterLabel: function (context) {
            const c = compared[Math.floor(context.datasetIndex / 2)];
            const row = find(c.funnel, screens[context.dataIndex]);
            return row ? h.number.format(row.reached) + ' reached, ' + h.number.format(row.dropped) + ' dropped, ' +
              h.number.format(row.completed) + ' completed' : 'not in this version';
          }
        } } }
      }
    });
  }

  function drawTimes(compared) {
    const screens = screensOf(compared, 'screen_time');
    const datasets = [];
    compared.forEach(function (c, i) {
      ['p50', 'p90'].forEach(function (p, j) {
        datasets.push({
          label: versionLabel(c.version) + ' ' + p, backgroundColor: versionColors[i][j],
          data: screens.map(function (s) { const row = find(c.screen_time, s); return row ? row[p + '_ms'] / 1000 : null; })
        });
      });
    });
    h.upsertChart('versions-time', 'versions-time-chart', {
      type: 'bar',
      data: { labels: screens, datasets: datasets },
      options: {
        scales: { y: { type: 'logarithmic', title: { display: true, text: 'seconds on screen (log)' } } },
        plugins: { tooltip: { callbacks: {
          label: function (context) { return context.dataset.label + ': ' + h.number.format(context.raw) + ' s'; },
          afterLabel: function (context) {
            const c = compared[Math.floor(context.datasetIndex / 2)];
            const row = find(c.screen_time, screens[context.dataIndex]);
            return row ? h.number.format(row.views) + ' views, ' + h.number.format(row.dropped_off) +
              ' dropped off; users who moved on: p50 ' + h.number.format(row.p50_moved_on_ms / 1000) + ' s, p90 ' +
              h.number.format(row.p90_moved_on_ms / 1000) + ' s' : '';
          }
        } } }
      }
    });
  }

  // ---- Sankey in plain SVG ---------------------------------------------------------------------------

  function drawSankey(svg, version) {
    const links = version.paths.map(function (p) {
      return { from: p.from, to: p.to, action: p.action, value: p.transitions };
    });
    version.screen_time.forEach(function (t) {
      if (t.dropped_off > 0) { links.push({ from: t.screen, to: DROPPED, action: 'drop-off', value: t.dropped_off }); }
    });
    const depth = layers(links);
    const names = Object.keys(depth);
    links.forEach(function (l) { l.forward = depth[l.to] > depth[l.from]; });

    const nodes = {};
    names.forEach(function (n) { nodes[n] = { name: n, depth: depth[n], inValue: 0, outValue: 0 }; });
    links.forEach(function (l) { nodes[l.from].outValue += l.value; nodes[l.to].inValue += l.value; });
    const columns = [];
    names.forEach(function (n) {
      const node = nodes[n];
      node.value = Math.max(node.inValue, node.outValue);
      (columns[node.depth] = columns[node.depth] || []).push(node);
    });

    const width = Math.max(svg.clientWidth || 0, 600);
    const height = 380;
    const pad = { top: 20, bottom: 40, left: 90, right: 150 };
    const nodeWidth = 14;
    const gap = 14;
    const busiest = columns.reduce(function (m, col) {
      return Math.max(m, (col || []).reduce(function (s, n) { return s + n.value; }, 0));
    }, 1);
    const maxNodes = columns.reduce(function (m, col) { return Math.max(m, (col || []).length); }, 1);
    const scale = (height - pad.top - pad.bottom - gap * (maxNodes - 1)) / busiest;
    const step = columns.length > 1 ? (width - pad.left - pad.right - nodeWidth) / (columns.length - 1) : 0;
    columns.forEach(function (col, d) {
      let y = pad.top;
      (col || []).sort(function (x, z) { return z.value - x.value; }).forEach(function (node) {
        node.x = pad.left + d * step;
        node.y = y;
        node.height = Math.max(2, node.value * scale);
        node.outOffset = 0;
        node.inOffset = 0;
        y += node.height + gap;
      });
    });

    svg.replaceChildren();
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('height', String(height));
    let drawn = 0;
    let back = 0;
    links.sort(function (x, z) { return z.value - x.value; }).forEach(function (l) {
      const source = nodes[l.from];
      const target = nodes[l.to];
      const w = Math.max(1, l.value * scale);
      const path = document.createElementNS(SVG, 'path');
      if (l.forward) {
        const x0 = source.x + nodeWidth;
        const y0 = source.y + source.outOffset + w / 2;
        const x1 = target.x;
        const y1 = target.y + target.inOffset + w / 2;
        const mid = (x0 + x1) / 2;
        path.setAttribute('d', 'M' + x0 + ',' + y0 + ' C' + mid + ',' + y0 + ' ' + mid + ',' + y1 + ' ' + x1 + ',' + y1);
        path.setAttribute('class', 'sankey-link' + (l.to === DROPPED ? ' dropped' : ''));
        path.setAttribute('stroke-width', String(w));
        source.outOffset += w;
        target.inOffset += w;
      } else {
        // BACK (or a step to a screen no further on): an arc under the nodes, from the source back to the target
        const x0 = source.x + nodeWidth / 2;
        const x1 = target.x + nodeWidth / 2;
        const low = height - pad.bottom + 12 + Math.min(20, Math.abs(x0 - x1) / 20);
        path.setAttribute('d', 'M' + x0 + ',' + (source.y + source.height) + ' C' + x0 + ',' + low + ' ' + x1 + ',' + low +
          ' ' + x1 + ',' + (target.y + target.height));
        path.setAttribute('class', 'sankey-link back');
        path.setAttribute('stroke-width', String(Math.max(1, Math.min(w, 8))));
        back += 1;
      }
      const title = document.createElementNS(SVG, 'title');
      title.textContent = label(l.from) + ' → ' + label(l.to) + (l.action ? ' (' + l.action + ')' : '') + ': ' +
        h.number.format(l.value);
      path.appendChild(title);
      svg.appendChild(path);
      drawn += 1;
    });
    names.forEach(function (n) {
      const node = nodes[n];
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(node.x));
      rect.setAttribute('y', String(node.y));
      rect.setAttribute('width', String(nodeWidth));
      rect.setAttribute('height', String(node.height));
      rect.setAttribute('class', 'sankey-node' + (n === DROPPED ? ' dropped' : ''));
      const title = document.createElementNS(SVG, 'title');
      title.textContent = label(n) + ': ' + h.number.format(node.value);
      rect.appendChild(title);
      svg.appendChild(rect);
      const text = document.createElementNS(SVG, 'text');
      const leftSide = node.depth === 0;
      text.setAttribute('x', String(leftSide ? node.x - 4 : node.x + nodeWidth + 4));
      text.setAttribute('y', String(node.y + node.height / 2));
      text.setAttribute('text-anchor', leftSide ? 'end' : 'start');
      text.setAttribute('dominant-baseline', 'middle');
      text.setAttribute('class', 'sankey-label');
      text.textContent = label(n) + ' ' + h.number.format(node.value);
      svg.appendChild(text);
    });
    view.nodes = names.length;
    view.links = drawn;
    view.backLinks = back;
  }

  // columns: the fewest transitions from the start, over steps that are not BACK; drop-offs (and anything not
  // reached that way) in a last column
  function layers(links) {
    const depth = {};
    depth[START] = 0;
    let frontier = [START];
    while (frontier.length) {
      const next = [];
      links.forEach(function (l) {
        if (l.action !== 'BACK' && l.to !== DROPPED && frontier.indexOf(l.from) >= 0 && depth[l.to] === undefined) {
          depth[l.to] = depth[l.from] + 1;
          next.push(l.to);
        }
      });
      frontier = next;
    }
    const deepest = Object.keys(depth).reduce(function (m, n) { return Math.max(m, depth[n]); }, 0);
    links.forEach(function (l) {
      [l.from, l.to].forEach(function (n) { if (depth[n] === undefined) { depth[n] = deepest + 1; } });
    });
    if (!links.some(function (l) { return l.from === START; })) { delete depth[START]; }
    return depth;
  }

  function label(name) { return name === START ? 'start' : name; }
}());
