// The experiments view of Flowgate's dashboard (docs/experiments.md): per variant of the selected routing
// experiment, the primary metric with its always-valid interval, the decision, sample sizes, why a variant
// was stopped, and the funnel. It registers itself with dashboard.js (loaded after it), which refreshes it
// with the other views and lends it its helpers. Values reach the page only as text or on a canvas.
'use strict';

(window.flowgateViews = window.flowgateViews || []).push({ name: 'experiments', refresh: refreshExperiments });

var experimentsState = { experiment: null, wired: false };

var decisionLabels = {
  control: 'control', collecting: 'collecting data', winner: 'winner', loser: 'worse than control',
  no_difference: 'no difference', stopped_guardrail: 'stopped by guardrail'
};

var variantColors = ['#4c78a8', '#54a24b', '#e45756', '#f58518', '#b279a2', '#72b7b2', '#9d755d', '#bab0ac'];

function refreshExperiments() {
  var h = window.flowgateDashboard.helpers;
  if (!experimentsState.wired) {
    experimentsState.wired = true;
    h.byId('experiments-experiment').addEventListener('change', function (event) {
      experimentsState.experiment = event.target.value;
      refreshExperiments().catch(function (error) {
        h.byId('experiments-error').hidden = false;
        h.byId('experiments-error').textContent = error.message;
      });
    });
  }
  var query = experimentsState.experiment === null ? {} : { experiment: experimentsState.experiment };
  return h.latest('experiments', h.getJson('/api/experiments', query)).then(function (body) {
    if (body === null) { return; }
    h.fillSelect(h.byId('experiments-experiment'), body.experiments.map(function (e) {
      return { value: e.experiment_id, text: e.experiment_id + (e.flow_id ? ' · ' + e.flow_id : '') + (e.status ? ' (' + e.status + ')' : '') };
    }), body.experiment);
    experimentsState.experiment = body.experiment;
    var charts = window.flowgateDashboard.charts;
    if (body.variants.length === 0) {
      h.showEmpty('experiments', true);
      h.byId('experiments-table').hidden = true;
      h.setText('experiments-meta', '');
      ['experimentsInterval', 'experimentsFunnel'].forEach(function (key) {
        if (charts[key]) { charts[key].destroy(); delete charts[key]; }
      });
      return;
    }
    h.showEmpty('experiments', false);
    var summary = body.experiments.filter(function (e) { return e.experiment_id === body.experiment; })[0] || {};
    var control = body.variants.filter(function (v) { return v.control; })[0];
    h.setText('experiments-meta', 'Primary metric: ' + body.variants[0].primary_metric +
      (summary.alpha ? ' · α ' + summary.alpha : '') + ' · control: ' + (control ? control.variant : '—') +
      ' · evaluated up to ' + h.timeLabel(body.variants[0].evaluated_at) + ' UTC · intervals stay valid however often you look');
    drawExperimentRows(h, body.variants);
    drawExperimentCharts(h, body.variants, body.screens);
  });
}

function drawExperimentRows(h, variants) {
  var rows = h.byId('experiments-rows');
  rows.replaceChildren.apply(rows, variants.map(function (v) {
    var row = document.createElement('tr');
    h.cell(row, v.variant + (v.control ? ' (control)' : ''));
    h.cell(row, h.number.format(v.sessions));
    h.cell(row, h.number.format(v.finished));
    h.cell(row, h.percent.format(v.conversion_rate) + ' (' + h.number.format(v.conversions) + ')');
    h.cell(row, v.control || v.difference === null ? '—' : signedPoints(v.difference) +
      (v.ci_low === null ? ' (collecting)' : ' [' + signedPoints(v.ci_low) + ', ' + signedPoints(v.ci_high) + ']'));
    h.cell(row, v.p_value === null ? '—' : v.p_value < 0.0001 ? '< 0.0001' : v.p_value.toFixed(4));
    h.cell(row, decisionLabels[v.decision] || v.decision, 'decision-' + v.decision);
    h.cell(row, h.number.format(v.p90_ms) + ' ms / ' + h.percent.format(v.error_rate) + ' of ' + h.number.format(v.requests));
    h.cell(row, stopReason(h, v));
    return row;
  }));
  h.byId('experiments-table').hidden = false;
}

function stopReason(h, v) {
  if (!v.stopped_by) { return ''; }
  var observed = v.stop_observed;
  var threshold = v.stop_threshold;
  if (v.stopped_by === 'p90_latency') {
    return 'p90 latency ' + h.number.format(observed) + ' ms over ' + h.number.format(threshold) + ' ms, ' + h.timeLabel(v.stopped_at) + ' UTC';
  }
  if (v.stopped_by === 'error_rate') {
    return 'error rate ' + h.percent.format(observed) + ' over ' + h.percent.format(threshold) + ', ' + h.timeLabel(v.stopped_at) + ' UTC';
  }
  return 'drop rate at ' + v.stopped_by.substring('drop_rate:'.length) + ' ' + h.percent.format(observed) +
    ', significantly above the control, ' + h.timeLabel(v.stopped_at) + ' UTC';
}

function signedPoints(difference) {
  var points = difference * 100;
  return (points > 0 ? '+' : '') + points.toFixed(1) + ' pt';
}

function drawExperimentCharts(h, variants, screens) {
  var treatments = variants.filter(function (v) { return !v.control; });
  h.upsertChart('experimentsInterval', 'experiments-interval-chart', {
    type: 'bar',
    data: {
      labels: treatments.map(function (v) { return v.variant; }),
      datasets: [
        {
          label: 'Always-valid interval', backgroundColor: 'rgba(76, 120, 168, 0.35)', borderColor: '#4c78a8', borderWidth: 1,
          data: treatments.map(function (v) { return v.ci_low === null ? null : [v.ci_low * 100, v.ci_high * 100]; })
        },
        {
          label: 'Difference', type: 'line', showLine: false, pointRadius: 6, borderColor: '#e45756', backgroundColor: '#e45756',
          data: treatments.map(function (v) { return v.difference === null ? null : v.difference * 100; })
        }
      ]
    },
    options: {
      indexAxis: 'x',
      scales: { y: { title: { display: true, text: 'treatment − control (percentage points)' } } },
      plugins: { title: { display: true, text: 'Primary metric: difference to the control' } }
    }
  });

  var order = [];
  screens.forEach(function (s) { if (order.indexOf(s.screen) < 0) { order.push(s.screen); } });
  h.upsertChart('experimentsFunnel', 'experiments-funnel-chart', {
    type: 'bar',
    data: {
      labels: order,
      datasets: variants.map(function (v, i) {
        return {
          label: v.variant, backgroundColor: variantColors[i % variantColors.length],
          data: order.map(function (screen) {
            var row = screens.filter(function (s) { return s.variant === v.variant && s.screen === screen; })[0];
            return row && v.finished > 0 ? row.reached / v.finished : 0;
          })
        };
      })
    },
    options: {
      scales: { y: { min: 0, max: 1, ticks: { callback: function (value) { return h.percent.format(value); } },
        title: { display: true, text: 'measured sessions reaching the screen' } } },
      plugins: { title: { display: true, text: 'Funnel per variant' } }
    }
  });
}
