// Flowgate's built-in dashboard: polls the read-only JSON under /api/ and draws it with Chart.js.
// Every value from the server reaches the page through textContent, new Option() or a chart's canvas,
// never as HTML, so an odd flow id or item id is shown as text and cannot become markup.
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const refreshSeconds = boundedInt(params.get('refresh'), 1, 60, 5);

  const colors = {
    reached: '#4c78a8', completed: '#54a24b', dropped: '#e45756', rate: '#f58518',
    p50: '#72b7b2', p90: '#4c78a8', p95: '#b279a2', p99: '#e45756', errors: '#f58518',
    stale: '#9d755d', hot: '#e45756', warm: '#f58518', cold: '#4c78a8', stock: '#bab0ac', demand: '#4c78a8',
    meta: '#e45756', flowgate: '#4c78a8', difference: '#bab0ac'
  };

  const state = { flow: null, cohort: null, series: null, latencyMinutes: 60, staleHours: 24, metaFlow: null };
  const charts = {};
  // a newer request of a view supersedes an older one still in flight (a choice made meanwhile wins)
  const tickets = {};
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  // read by the browser test and handy in a console: the live Chart objects and the refresh count. Views in
  // their own files draw with the helpers and join the refresh loop: experiments.js (loaded before this file)
  // registers { name, refresh } in window.flowgateViews, versions.js (loaded after) adds [name, refresh] to panels.
  const dashboard = window.flowgateDashboard = {
    charts: charts, refreshes: 0, failures: 0, lastError: null, panels: [],
    helpers: { getJson: getJson, latest: latest, upsertChart: upsertChart, showEmpty: showEmpty, showError: showError,
      fillSelect: fillSelect, cell: cell, setText: setText, byId: byId, number: number, percent: percent,
      timeLabel: timeLabel, colors: colors }
  };
  const views = window.flowgateViews || [];

  if (typeof window.Chart === 'undefined') {
    setStatus('Chart.js did not load: the charts cannot be drawn.', true);
    return;
  }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  wireControls();
  // after every deferred script ran, so the views of other files refresh from the first round on
  document.addEventListener('DOMContentLoaded', refreshLoop);

  function refreshLoop() {
    refreshAll().finally(function () {
      window.setTimeout(refreshLoop, refreshSeconds * 1000);
    });
  }

  function refreshAll() {
    const panels = [
      ['funnel', refreshFunnel], ['latency', refreshLatency], ['alerts', refreshAlerts],
      ['stale', refreshStale], ['leads', refreshLeads], ['inventory', refreshInventory],
      ['meta', refreshMeta], ['meta-banner', refreshMetaBanner]
    ].concat(views.map(function (view) { return [view.name, view.refresh]; }), dashboard.panels);
    return Promise.all(panels.map(function (panel) {
      return panel[1]().then(function () {
        showError(panel[0], null);
        return true;
      }, function (error) {
        showError(panel[0], 'Cannot load this view: ' + error.message);
        dashboard.lastError = panel[0] + ': ' + error.message;
        return false;
      });
    })).then(function (results) {
      const failed = results.filter(function (ok) { return !ok; }).length;
      dashboard.refreshes += 1;
      if (failed > 0) {
        dashboard.failures += 1;
        setStatus(failed + ' of ' + results.length + ' views could not be refreshed at ' + clock(new Date()) +
          '; retrying every ' + refreshSeconds + ' s.', true);
      } else {
        setStatus('Live: refreshed at ' + clock(new Date()) + ', every ' + refreshSeconds + ' s.', false);
      }
    });
  }

  function wireControls() {
    byId('funnel-flow').addEventListener('change', function (event) {
      state.flow = event.target.value;
      state.cohort = null;
      refreshFunnel().catch(function (error) { showError('funnel', error.message); });
    });
    byId('funnel-cohort').addEventListener('change', function (event) {
      state.cohort = event.target.value;
      refreshFunnel().catch(function (error) { showError('funnel', error.message); });
    });
    byId('latency-series').addEventListener('change', function (event) {
      state.series = JSON.parse(event.target.value);
      refreshLatency().catch(function (error) { showError('latency', error.message); });
    });
    byId('latency-range').addEventListener('change', function (event) {
      state.latencyMinutes = boundedInt(event.target.value, 5, 1440, 60);
      refreshLatency().catch(function (error) { showError('latency', error.message); });
    });
    byId('meta-flow').addEventListener('change', function (event) {
      state.metaFlow = event.target.value;
      refreshMeta().catch(function (error) { showError('meta', error.message); });
    });
    byId('stale-range').addEventListener('change', function (event) {
      state.staleHours = boundedInt(event.target.value, 1, 168, 24);
      refreshStale().catch(function (error) { showError('stale', error.message); });
    });
  }

  // ---- funnel -------------------------------------------------------------------------------------

  function refreshFunnel() {
    const query = {};
    if (state.flow !== null) { query.flow = state.flow; }
    if (state.cohort !== null) { query.cohort = state.cohort; }
    return latest('funnel', getJson('/api/funnel', query)).then(function (funnel) {
      if (funnel === null) { return; }
      fillSelect(byId('funnel-flow'), funnel.flows.map(function (flow) {
        return { value: flow.flow_id, text: flow.flow_id + (flow.source === 'chat' ? ' (chat)' : '') };
      }), funnel.flow);
      fillSelect(byId('funnel-cohort'), funnel.cohorts.map(function (cohort) {
        return { value: cohort, text: hourLabel(cohort) };
      }), funnel.cohort);
      state.flow = funnel.flow;
      state.cohort = funnel.cohort;
      if (funnel.screens.length === 0) {
        showEmpty('funnel', true);
        setText('funnel-meta', '');
        return;
      }
      showEmpty('funnel', false);
      const first = funnel.screens[0];
      setText('funnel-meta', number.format(first.reached) + ' sessions reached ' + first.screen +
        ' · updated ' + timeLabel(funnel.updated_at) + ' UTC · bars: sessions, line: drop rate');
      upsertChart('funnel', 'funnel-chart', {
        type: 'bar',
        data: {
          labels: funnel.screens.map(function (s) { return s.screen; }),
          datasets: [
            { label: 'Reached', data: funnel.screens.map(function (s) { return s.reached; }), backgroundColor: colors.reached },
            { label: 'Completed', data: funnel.screens.map(function (s) { return s.completed; }), backgroundColor: colors.completed },
            { label: 'Dropped', data: funnel.screens.map(function (s) { return s.dropped; }), backgroundColor: colors.dropped },
            {
              label: 'Drop rate', type: 'line', yAxisID: 'rate', borderColor: colors.rate, backgroundColor: colors.rate,
              data: funnel.screens.map(function (s) { return s.drop_rate; })
            }
          ]
        },
        options: {
          scales: {
            y: { beginAtZero: true, title: { display: true, text: 'sessions' } },
            rate: { position: 'right', min: 0, max: 1, grid: { drawOnChartArea: false },
              ticks: { callback: function (v) { return percent.format(v); } }, title: { display: true, text: 'drop rate' } }
          },
          plugins: { tooltip: { callbacks: { label: rateAwareLabel('Drop rate') } } }
        }
      });
    });
  }

  // ---- latency ------------------------------------------------------------------------------------

  function refreshLatency() {
    const query = { minutes: state.latencyMinutes };
    if (state.series !== null) {
      query.screen = state.series.screen;
      query.action = state.series.action;
    }
    return latest('latency', getJson('/api/latency', query)).then(function (latency) {
      if (latency === null) { return; }
      fillSelect(byId('latency-series'), latency.series.map(function (s) {
        return {
          value: JSON.stringify({ screen: s.screen, action: s.action }),
          text: screenLabel(s.screen) + ' · ' + s.action + ' (' + number.format(s.requests) + ' requests)'
        };
      }), latency.screen === null ? null : JSON.stringify({ screen: latency.screen, action: latency.action }));
      state.series = latency.screen === null ? null : { screen: latency.screen, action: latency.action };
      if (latency.points.length === 0) {
        showEmpty('latency', true);
        setText('latency-meta', latency.to === null ? '' :
          'No requests for this screen and action between ' + timeLabel(latency.from) + ' and ' + timeLabel(latency.to) + ' UTC.');
        return;
      }
      showEmpty('latency', false);
      const requests = latency.points.reduce(function (sum, p) { return sum + p.requests; }, 0);
      const worstP90 = latency.points.reduce(function (max, p) { return Math.max(max, p.p90_ms); }, 0);
      setText('latency-meta', screenLabel(latency.screen) + ' · ' + latency.action + ': ' + number.format(requests) +
        ' requests, worst p90 ' + number.format(worstP90) + ' ms (Meta throttles above 1000 ms p90 or 5 % errors) · up to ' +
        timeLabel(latency.to) + ' UTC');
      const labels = latency.points.map(function (p) { return timeLabel(p.minute); });
      upsertChart('latency', 'latency-chart', {
        type: 'line',
        data: {
          labels: labels,
          datasets: ['p50', 'p90', 'p95', 'p99'].map(function (p) {
            return {
              label: p, borderColor: colors[p], backgroundColor: colors[p], pointRadius: 0, borderWidth: 2,
              data: latency.points.map(function (point) { return point[p + '_ms']; })
            };
          }).concat([{
            label: 'Error rate', yAxisID: 'rate', borderColor: colors.errors, backgroundColor: colors.errors,
            borderDash: [6, 4], pointRadius: 0, borderWidth: 2,
            data: latency.points.map(function (point) { return point.error_rate; })
          }])
        },
        options: {
          interaction: { mode: 'index', intersect: false },
          scales: {
            y: { beginAtZero: true, title: { display: true, text: 'ms' } },
            rate: { position: 'right', min: 0, suggestedMax: 0.1, grid: { drawOnChartArea: false },
              ticks: { callback: function (v) { return percent.format(v); } }, title: { display: true, text: 'error rate' } }
          },
          plugins: { tooltip: { callbacks: { label: rateAwareLabel('Error rate') } } }
        }
      });
    });
  }

  // ---- alerts -------------------------------------------------------------------------------------

  function refreshAlerts() {
    return latest('alerts', getJson('/api/alerts', {})).then(function (alerts) {
      if (alerts === null) { return; }
      const rows = byId('alerts-rows');
      const neverFired = alerts.recent.length === 0;
      byId('alerts-empty').hidden = !neverFired;
      byId('alerts-none').hidden = neverFired || alerts.active.length > 0;
      byId('alerts-table').hidden = alerts.active.length === 0;
      rows.replaceChildren.apply(rows, alerts.active.map(function (alert) {
        const row = document.createElement('tr');
        row.dataset.alertId = alert.alert_id;
        cell(row, timeLabel(alert.window_end));
        cell(row, '#' + alert.rule_id + (alert.description ? ' ' + alert.description : ''));
        cell(row, alert.screen === '*' ? 'every screen' : screenLabel(alert.screen));
        cell(row, alert.metric);
        cell(row, alertValue(alert.metric, alert.value), 'firing');
        cell(row, alertValue(alert.metric, alert.threshold));
        return row;
      }));
      const enabled = alerts.rules.filter(function (rule) { return rule.enabled; });
      setText('alerts-meta', alerts.active.length + ' firing · ' + enabled.length + ' enabled rule(s): ' +
        enabled.map(ruleLabel).join('; '));
    });
  }

  function ruleLabel(rule) {
    const parts = [];
    if (rule.percentile !== null) { parts.push(rule.percentile + ' > ' + number.format(rule.threshold_ms) + ' ms'); }
    if (rule.error_rate_threshold !== null) { parts.push('errors > ' + percent.format(rule.error_rate_threshold)); }
    return (rule.screen === '*' ? 'every screen' : screenLabel(rule.screen)) + ' ' + parts.join(' or ') +
      ' over ' + rule.window_minutes + ' min';
  }

  function alertValue(metric, value) {
    return metric === 'error_rate' ? percent.format(value) : number.format(value) + ' ms';
  }

  // ---- stale sessions -----------------------------------------------------------------------------

  function refreshStale() {
    return latest('stale', getJson('/api/stale', { hours: state.staleHours })).then(function (stale) {
      if (stale === null) { return; }
      if (stale.total === 0) {
        showEmpty('stale', true);
        setText('stale-meta', stale.to === null ? '' : 'None in the ' + stale.hours + ' h up to ' + timeLabel(stale.to) + ' UTC.');
        return;
      }
      showEmpty('stale', false);
      setText('stale-meta', number.format(stale.total) + ' sessions went stale in ' + stale.hours + ' h (per ' +
        stale.bucket_minutes + ' min); dropped most at ' + stale.by_screen.map(function (s) {
          return screenLabel(s.screen) + ' (' + number.format(s.sessions) + ')';
        }).join(', '));
      const multiDay = stale.hours > 24;
      upsertChart('stale', 'stale-chart', {
        type: 'bar',
        data: {
          labels: stale.buckets.map(function (b) { return multiDay ? dayTimeLabel(b.start) : timeLabel(b.start); }),
          datasets: [{ label: 'Sessions gone stale', data: stale.buckets.map(function (b) { return b.sessions; }),
            backgroundColor: colors.stale }]
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } }
      });
    });
  }

  // ---- lead scores --------------------------------------------------------------------------------

  function refreshLeads() {
    return latest('leads', getJson('/api/leads', {})).then(function (leads) {
      if (leads === null) { return; }
      if (leads.total === 0) {
        showEmpty('leads', true);
        setText('leads-meta', '');
        return;
      }
      showEmpty('leads', false);
      setText('leads-meta', number.format(leads.total) + ' leads: ' + leads.tiers.map(function (t) {
        return number.format(t.users) + ' ' + t.tier;
      }).join(', ') + ' · updated ' + timeLabel(leads.updated_at) + ' UTC');
      upsertChart('leads', 'leads-chart', {
        type: 'bar',
        data: {
          labels: leads.buckets.map(function (b) { return b.from + '–' + b.to; }),
          datasets: ['hot', 'warm', 'cold'].map(function (tier) {
            return { label: tier, data: leads.buckets.map(function (b) { return b[tier]; }), backgroundColor: colors[tier] };
          })
        },
        options: {
          scales: {
            x: { stacked: true, title: { display: true, text: 'score' } },
            y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'leads' } }
          }
        }
      });
    });
  }

  // ---- hot inventory ------------------------------------------------------------------------------

  function refreshInventory() {
    return latest('inventory', getJson('/api/inventory', { limit: 15 })).then(function (inventory) {
      if (inventory === null) { return; }
      if (inventory.items.length === 0) {
        showEmpty('inventory', true);
        setText('inventory-meta', '');
        return;
      }
      showEmpty('inventory', false);
      setText('inventory-meta', inventory.hot_items + ' hot item(s) · red bars are hot (high demand or about to run out) · ' +
        'window ending ' + timeLabel(inventory.items[0].window_end) + ' UTC');
      const items = inventory.items;
      upsertChart('inventory', 'inventory-chart', {
        type: 'bar',
        data: {
          labels: items.map(function (item) { return item.item_id + (item.hot ? ' (hot)' : ''); }),
          datasets: [
            { label: 'Demand (sessions)', data: items.map(function (item) { return item.demand; }),
              backgroundColor: items.map(function (item) { return item.hot ? colors.hot : colors.demand; }) },
            { label: 'Stock', data: items.map(function (item) { return item.stock === null ? 0 : item.stock; }),
              backgroundColor: colors.stock }
          ]
        },
        options: {
          indexAxis: 'y',
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
          plugins: {
            tooltip: {
              callbacks: {
                afterBody: function (context) {
                  const item = items[context[0].dataIndex];
                  const lines = [];
                  if (item.stock === null) { lines.push('stock unknown'); }
                  if (item.stockout_at !== null) { lines.push('runs out about ' + dayTimeLabel(item.stockout_at) + ' UTC'); }
                  return lines;
                }
              }
            }
          }
        }
      });
    });
  }

  // ---- Meta's view (issue 14) ---------------------------------------------------------------------

  // Flows Meta throttles or blocks now, at the top of the page until they recover
  function refreshMetaBanner() {
    return latest('meta-banner', getJson('/api/meta-status', {})).then(function (status) {
      if (status === null) { return; }
      byId('meta-banner').hidden = status.degraded.length === 0;
      setText('meta-banner-flows', status.degraded.map(function (flow) {
        return (flow.flow_id || flow.meta_flow_id) + ' ' + flow.status + (flow.since ? ' since ' + hourLabel(flow.since) + ' UTC' : '');
      }).join(' · '));
    });
  }

  // Meta's p50/p90, error rate and availability as Meta reported them, Flowgate's own figures for the
  // same windows, and the difference (the network and TLS time Meta sees)
  function refreshMeta() {
    const query = state.metaFlow !== null ? { flow: state.metaFlow } : {};
    return latest('meta', getJson('/api/meta-health', query)).then(function (health) {
      if (health === null) { return; }
      fillSelect(byId('meta-flow'), health.flows.map(function (flow) {
        return { value: flow.meta_flow_id, text: flow.meta_flow_id + (flow.flow_id ? ' (' + flow.flow_id + ')' : '') +
          (flow.status ? ' · ' + flow.status : '') };
      }), health.flow);
      state.metaFlow = health.flow;
      const figures = health.points.filter(function (p) { return p.kind !== 'FLOW_STATUS_CHANGE'; });
      const rows = byId('meta-rows');
      byId('meta-table').hidden = health.points.length === 0;
      rows.replaceChildren.apply(rows, health.points.slice().reverse().slice(0, 30).map(metaRow));
      if (figures.length === 0) {
        showEmpty('meta', health.points.length === 0);
        byId('meta-chart-box').hidden = true;
        setText('meta-meta', health.flow === null ? '' : 'Flow ' + health.flow + ': status ' + (health.status || 'unknown') +
          ', no figures from Meta yet');
        return;
      }
      showEmpty('meta', false);
      const latestP90 = figures.filter(function (p) { return p.p90_difference_ms !== null; }).pop();
      setText('meta-meta', 'Flow ' + health.flow + (health.flow_id ? ' (' + health.flow_id + ')' : '') + ': status ' +
        (health.status || 'unknown') + ' · ' + figures.length + ' figure(s) from Meta' +
        (latestP90 ? ' · last p90 difference ' + number.format(latestP90.p90_difference_ms) + ' ms (network and TLS Meta sees)' : '') +
        ' · Flowgate: whole endpoint, same window');
      upsertChart('meta', 'meta-chart', {
        type: 'line',
        data: {
          labels: figures.map(function (p) { return dayTimeLabel(p.observed_at); }),
          datasets: [
            { label: 'Meta p90 (ms)', data: figures.map(function (p) { return p.meta_p90_ms; }), borderColor: colors.meta,
              backgroundColor: colors.meta, spanGaps: true },
            { label: 'Flowgate p90 (ms)', data: figures.map(function (p) { return p.flowgate_p90_ms; }),
              borderColor: colors.flowgate, backgroundColor: colors.flowgate, spanGaps: true },
            { label: 'Difference p90 (ms)', type: 'bar', data: figures.map(function (p) { return p.p90_difference_ms; }),
              backgroundColor: colors.difference },
            { label: 'Meta error rate (%)', data: figures.map(function (p) { return p.meta_error_rate; }), yAxisID: 'rate',
              borderColor: colors.rate, backgroundColor: colors.rate, borderDash: [6, 3], spanGaps: true },
            { label: 'Flowgate error rate (%)', data: figures.map(function (p) { return p.flowgate_error_rate; }), yAxisID: 'rate',
              borderColor: colors.p95, backgroundColor: colors.p95, borderDash: [2, 2], spanGaps: true },
            { label: 'Meta availability (%)', data: figures.map(function (p) { return p.meta_availability; }), yAxisID: 'rate',
              borderColor: colors.completed, backgroundColor: colors.completed, showLine: false, pointRadius: 5 }
          ]
        },
        options: {
          scales: {
            y: { beginAtZero: true, title: { display: true, text: 'ms' } },
            rate: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'error rate, availability %' } }
          }
        }
      });
    });
  }

  function metaRow(p) {
    const row = document.createElement('tr');
    cell(row, hourLabel(p.observed_at));
    cell(row, p.source + (p.granularity ? ' ' + p.granularity : ''));
    cell(row, p.kind);
    const shown = p.alert_state || (p.new_status ? (p.old_status || '—') + ' → ' + p.new_status : '');
    cell(row, shown, p.alert_state === 'ACTIVATED' || p.new_status === 'THROTTLED' || p.new_status === 'BLOCKED' ? 'firing' : null);
    cell(row, pair(p.meta_p50_ms, p.meta_p90_ms));
    cell(row, pair(p.flowgate_p50_ms, p.flowgate_p90_ms));
    cell(row, p.p90_difference_ms === null ? '—' : number.format(p.p90_difference_ms));
    cell(row, (p.meta_error_rate === null ? '—' : number.format(p.meta_error_rate) + ' %') + ' / ' +
      (p.meta_availability === null ? '—' : number.format(p.meta_availability) + ' %'));
    cell(row, p.flowgate_error_rate === null ? '—' : number.format(p.flowgate_error_rate) + ' %');
    return row;
  }

  function pair(a, b) {
    return (a === null ? '—' : number.format(a)) + ' / ' + (b === null ? '—' : number.format(b));
  }

  // ---- helpers ------------------------------------------------------------------------------------

  function getJson(path, query) {
    const url = new URL(path, window.location.href);
    Object.keys(query).forEach(function (key) { url.searchParams.set(key, query[key]); });
    return fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          throw new Error(body.message || ('HTTP ' + response.status));
        }
        return body;
      });
    });
  }

  // resolves to null when another request of the same view was made after this one
  function latest(view, request) {
    const ticket = (tickets[view] || 0) + 1;
    tickets[view] = ticket;
    return request.then(function (body) { return tickets[view] === ticket ? body : null; });
  }

  // updates a live chart in place (no flicker, keeps hidden legend items), or creates it
  function upsertChart(key, canvasId, config) {
    const existing = charts[key];
    if (existing && existing.config.type === config.type) {
      existing.data.labels = config.data.labels;
      config.data.datasets.forEach(function (dataset, i) {
        if (existing.data.datasets[i]) {
          Object.assign(existing.data.datasets[i], dataset);
        } else {
          existing.data.datasets.push(dataset);
        }
      });
      existing.data.datasets.length = config.data.datasets.length;
      existing.update('none');
      return existing;
    }
    if (existing) { existing.destroy(); }
    charts[key] = new Chart(byId(canvasId), config);
    return charts[key];
  }

  function showEmpty(key, empty) {
    byId(key + '-empty').hidden = !empty;
    byId(key + '-chart-box').hidden = empty;
    if (empty && charts[key]) {
      charts[key].destroy();
      delete charts[key];
    }
  }

  function showError(key, message) {
    const element = byId(key + '-error');
    element.hidden = message === null;
    element.textContent = message === null ? '' : message;
  }

  // replaces the options only when they changed, so a refresh never closes a select someone is using
  function fillSelect(select, options, selected) {
    const signature = JSON.stringify(options);
    if (select.dataset.signature !== signature) {
      select.replaceChildren.apply(select, options.map(function (o) { return new Option(o.text, o.value); }));
      select.dataset.signature = signature;
    }
    select.disabled = options.length === 0;
    if (selected !== null && selected !== undefined) {
      select.value = selected;
    }
  }

  // tooltips: the rate dataset as a percentage, the others as plain numbers
  function rateAwareLabel(rateLabel) {
    return function (context) {
      const value = context.raw;
      return context.dataset.label + ': ' + (context.dataset.label === rateLabel ? percent.format(value) : number.format(value));
    };
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
  }

  function setText(id, text) { byId(id).textContent = text; }

  function setStatus(text, failing) {
    const status = byId('status');
    status.textContent = text;
    status.classList.toggle('failing', failing);
  }

  function byId(id) { return document.getElementById(id); }

  function screenLabel(screen) { return screen === null || screen === '' ? '(no screen)' : screen; }

  function timeLabel(iso) { return iso === null ? '—' : iso.substring(11, 16); }

  function hourLabel(iso) { return iso.substring(0, 10) + ' ' + iso.substring(11, 16); }

  function dayTimeLabel(iso) { return iso.substring(5, 10) + ' ' + iso.substring(11, 16); }

  function clock(date) { return date.toISOString().substring(11, 19) + ' UTC'; }

  function boundedInt(text, min, max, fallback) {
    const value = parseInt(text, 10);
    return isNaN(value) ? fallback : Math.min(max, Math.max(min, value));
  }
}());
