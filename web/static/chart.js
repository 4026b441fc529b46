// A tiny line chart on a canvas (no dependencies): a rolling window of points per series.
(function () {
  'use strict';

  class LineChart {
    constructor(canvas, series, capacity) {
      this.canvas = canvas;
      this.series = series.map((s) => ({ ...s, points: [] }));
      this.capacity = capacity || 120;
    }

    push(values) {
      this.series.forEach((s, i) => {
        s.points.push(Number(values[i]) || 0);
        if (s.points.length > this.capacity) s.points.shift();
      });
      this.draw();
    }

    draw() {
      const c = this.canvas;
      const ratio = window.devicePixelRatio || 1;
      const cssW = c.clientWidth || c.width;
      const cssH = c.clientHeight || c.height;
      if (c.width !== Math.round(cssW * ratio)) { c.width = Math.round(cssW * ratio); c.height = Math.round(cssH * ratio); }
      const g = c.getContext('2d');
      g.setTransform(ratio, 0, 0, ratio, 0, 0);
      g.clearRect(0, 0, cssW, cssH);
      const pad = { l: 44, r: 8, t: 18, b: 16 };
      const w = cssW - pad.l - pad.r;
      const h = cssH - pad.t - pad.b;
      let max = 1;
      for (const s of this.series) for (const v of s.points) if (v > max) max = v;
      max = niceCeil(max);
      g.font = '11px system-ui, sans-serif';
      g.strokeStyle = '#e3e6ea';
      g.fillStyle = '#6b7280';
      g.lineWidth = 1;
      for (let i = 0; i <= 4; i++) {
        const y = pad.t + h - (h * i) / 4;
        g.beginPath(); g.moveTo(pad.l, y); g.lineTo(pad.l + w, y); g.stroke();
        g.fillText(formatNumber((max * i) / 4), 4, y + 4);
      }
      let x = pad.l;
      this.series.forEach((s) => {
        g.fillStyle = s.color;
        g.fillRect(x, 4, 10, 10);
        g.fillStyle = '#374151';
        g.fillText(s.label, x + 14, 13);
        x += g.measureText(s.label).width + 30;
        if (s.points.length < 2) return;
        g.strokeStyle = s.color;
        g.lineWidth = 2;
        g.beginPath();
        const step = w / (this.capacity - 1);
        const x0 = pad.l + w - step * (s.points.length - 1);
        s.points.forEach((v, i) => {
          const px = x0 + step * i;
          const py = pad.t + h - (h * v) / max;
          if (i === 0) g.moveTo(px, py); else g.lineTo(px, py);
        });
        g.stroke();
      });
    }
  }

  function niceCeil(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function formatNumber(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (v >= 1e3) return (v / 1e3).toFixed(1) + 'k';
    if (Number.isInteger(v)) return String(v);
    return v < 1 ? v.toFixed(2) : v.toFixed(1);
  }

  window.PhxCharts = { LineChart, formatNumber };
})();
