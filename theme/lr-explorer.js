// The learning-rate explorer of 2.4.3: sliders for the learning rate (log
// scale) and the momentum, and the path of gradient descent on the chapter's
// 1D loss, recomputed in the page as they move.
//
// The loss and the update are those of the chapter's Rust code, step for step
// (crates/gradients/src/descent.rs, `descend`):
//
//   loss(w) = 0.5 (w - 1)^2 + 0.3,  gradient w - 1
//   v <- momentum * v - learning_rate * gradient,  w <- w + v
//
// At the defaults (the chapter's: start -2, learning rate 0.5, momentum 0,
// 20 steps) the page's path must equal the one the Rust snippet published as
// two f64 arrays next to its output: "lr-path" holds w at every step (the
// start first, 21 values) and "lr-path-loss" the loss there. The page reads
// them, compares and says so; tests/browser/lr-explorer.mjs checks the same.
//
// The page is built into <div class="nb-lr-explorer"></div>. For tests:
// window.nnblocksExplorer = { ready, path(), set(lr, momentum), defaults, stored }.
(function () {
    "use strict";

    var root = document.querySelector(".nb-lr-explorer");
    if (!root) return;

    // The chapter's settings: the s24-lr-path snippet in 2.4.3.
    var DEFAULTS = { start: -2, learningRate: 0.5, momentum: 0, steps: 20 };
    // The learning-rate slider runs over LR_MIN..LR_MAX on a log scale.
    var LR_MIN = 0.01;
    var LR_MAX = 3;
    var LR_TICKS = 400;
    // The part of the loss curve drawn: w and loss ranges.
    var W_RANGE = [-3, 5];
    var LOSS_RANGE = [0, 9];
    // House colours (crates/figures/src/style.rs).
    var BLUE = "#1F6FB4";
    var RED = "#D13B2E";
    var GRAY = "#8C8C8C";
    var INK = "#222222";
    var MUTED = "#6B6B6B";
    var GRID = "#E4E4E4";
    var SVG = "http://www.w3.org/2000/svg";

    function loss(w) {
        return (w - 1) * (w - 1) * 0.5 + 0.3;
    }

    function gradient(w) {
        return w - 1;
    }

    /** Gradient descent from the chapter's start, as `descend` does it. */
    function descend(learningRate, momentum, steps) {
        var w = DEFAULTS.start;
        var v = 0;
        var ws = [w];
        var losses = [];
        for (var step = 0; step <= steps; step++) {
            losses.push(loss(w));
            if (step === steps) break;
            v = momentum * v - learningRate * gradient(w);
            w += v;
            ws.push(w);
        }
        return { w: ws, loss: losses };
    }

    // ---- numbers as the reader reads them ----

    function fmt(x, digits) {
        if (!isFinite(x)) return "발산";
        if (Math.abs(x) >= 1e5) return x.toExponential(2).replace("e+", "e");
        return x.toFixed(digits);
    }

    /** A learning rate from the slider's position, rounded to 2 digits. */
    function lrAt(position) {
        var t = position / LR_TICKS;
        var lr = Math.exp(Math.log(LR_MIN) + t * (Math.log(LR_MAX) - Math.log(LR_MIN)));
        return Number(lr.toPrecision(2));
    }

    function positionOf(lr) {
        var t = (Math.log(lr) - Math.log(LR_MIN)) / (Math.log(LR_MAX) - Math.log(LR_MIN));
        return Math.round(Math.min(1, Math.max(0, t)) * LR_TICKS);
    }

    // ---- small DOM helpers ----

    function el(tag, attrs, text) {
        var e = document.createElement(tag);
        for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
        if (text !== undefined) e.textContent = text;
        return e;
    }

    function svg(tag, attrs, text) {
        var e = document.createElementNS(SVG, tag);
        for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
        if (text !== undefined) e.textContent = text;
        return e;
    }

    // ---- the page's parts ----

    root.textContent = "";
    var controls = el("div", { class: "nb-lr-controls" });
    var lrInput = el("input", { type: "range", min: "0", max: String(LR_TICKS), step: "1", id: "nb-lr-rate", "aria-label": "학습률" });
    var muInput = el("input", { type: "range", min: "0", max: "0.99", step: "0.01", id: "nb-lr-momentum", "aria-label": "모멘텀" });
    var lrOut = el("output", { for: "nb-lr-rate" });
    var muOut = el("output", { for: "nb-lr-momentum" });
    var reset = el("button", { type: "button", class: "nb-lr-reset" }, "처음 값으로");
    function row(label, input, out, note) {
        var r = el("label", { class: "nb-lr-row" });
        r.appendChild(el("span", { class: "nb-lr-name" }, label));
        r.appendChild(input);
        r.appendChild(out);
        r.appendChild(el("span", { class: "nb-lr-range" }, note));
        return r;
    }
    controls.appendChild(row("학습률", lrInput, lrOut, LR_MIN + " ~ " + LR_MAX + ", 로그 눈금"));
    controls.appendChild(row("모멘텀", muInput, muOut, "0 ~ 0.99"));
    controls.appendChild(reset);
    var chart = el("div", { class: "nb-lr-chart" });
    var bars = el("div", { class: "nb-lr-chart nb-lr-bars" });
    var status = el("p", { class: "nb-lr-status", "aria-live": "polite" });
    var table = el("details", { class: "nb-lr-table" });
    table.appendChild(el("summary", {}, "스텝마다의 w와 손실 (표)"));
    var tableBody = el("tbody");
    var tableEl = el("table");
    var head = el("tr");
    ["스텝 t", "w", "손실"].forEach(function (h) {
        head.appendChild(el("th", {}, h));
    });
    tableEl.appendChild(el("thead")).appendChild(head);
    tableEl.appendChild(tableBody);
    table.appendChild(tableEl);
    var check = el("p", { class: "nb-lr-check" });
    var printNote = el("p", { class: "nb-lr-print" }, "인쇄본에는 아래 설정에서의 경로를 싣습니다. 웹 페이지에서는 학습률과 모멘텀을 슬라이더로 바꿔 볼 수 있습니다.");
    [printNote, controls, chart, status, bars, table, check].forEach(function (p) {
        root.appendChild(p);
    });

    // ---- drawing ----

    /** Axes for a chart of the given pixel size: maps data to pixels. */
    function frame(width, height, xRange, yRange) {
        var m = { left: 52, right: 14, top: 12, bottom: 44 };
        var w = width - m.left - m.right;
        var h = height - m.top - m.bottom;
        return {
            m: m,
            w: w,
            h: h,
            x: function (v) {
                return m.left + ((v - xRange[0]) / (xRange[1] - xRange[0])) * w;
            },
            y: function (v) {
                return m.top + (1 - (v - yRange[0]) / (yRange[1] - yRange[0])) * h;
            },
        };
    }

    /** Grid, ticks and axis titles, like the book's figures. */
    function axes(s, f, xTicks, yTicks, xTitle, yTitle, clipId) {
        var g = svg("g", { class: "nb-lr-axes" });
        xTicks.forEach(function (t) {
            g.appendChild(svg("line", { x1: f.x(t), x2: f.x(t), y1: f.m.top, y2: f.m.top + f.h, stroke: GRID }));
            g.appendChild(svg("text", { x: f.x(t), y: f.m.top + f.h + 16, "text-anchor": "middle", fill: MUTED }, String(t)));
        });
        yTicks.forEach(function (t) {
            g.appendChild(svg("line", { x1: f.m.left, x2: f.m.left + f.w, y1: f.y(t), y2: f.y(t), stroke: GRID }));
            g.appendChild(svg("text", { x: f.m.left - 6, y: f.y(t) + 4, "text-anchor": "end", fill: MUTED }, String(t)));
        });
        g.appendChild(svg("rect", { x: f.m.left, y: f.m.top, width: f.w, height: f.h, fill: "none", stroke: GRAY }));
        g.appendChild(svg("text", { x: f.m.left + f.w / 2, y: f.m.top + f.h + 36, "text-anchor": "middle", fill: INK }, xTitle));
        var ty = f.m.top + f.h / 2;
        g.appendChild(svg("text", { x: 14, y: ty, "text-anchor": "middle", fill: INK, transform: "rotate(-90 14 " + ty + ")" }, yTitle));
        s.appendChild(g);
        var defs = svg("defs");
        var clip = svg("clipPath", { id: clipId });
        clip.appendChild(svg("rect", { x: f.m.left, y: f.m.top, width: f.w, height: f.h }));
        defs.appendChild(clip);
        s.appendChild(defs);
    }

    function newSvg(width, height, label) {
        return svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label });
    }

    /** The loss curve and the path on it: a dot per step, darker later. */
    function drawCurve(path, width) {
        var height = width < 520 ? 280 : 340;
        var s = newSvg(width, height, "손실 곡선 위의 경사 하강법 경로");
        var f = frame(width, height, W_RANGE, LOSS_RANGE);
        axes(s, f, [-3, -2, -1, 0, 1, 2, 3, 4, 5], [0, 2, 4, 6, 8], "파라미터 값 w", "손실", "nb-lr-clip-curve");
        var inside = svg("g", { "clip-path": "url(#nb-lr-clip-curve)" });
        var d = "";
        for (var i = 0; i <= 160; i++) {
            var w = W_RANGE[0] + ((W_RANGE[1] - W_RANGE[0]) * i) / 160;
            d += (i ? "L" : "M") + f.x(w).toFixed(2) + " " + f.y(loss(w)).toFixed(2);
        }
        inside.appendChild(svg("path", { d: d, fill: "none", stroke: BLUE, "stroke-width": 2 }));
        // Finite points only; a diverging path leaves the chart through the clip.
        var pts = [];
        for (var t = 0; t < path.w.length && isFinite(path.w[t]) && isFinite(path.loss[t]); t++) {
            pts.push([f.x(path.w[t]), f.y(Math.min(path.loss[t], 1e6))]);
        }
        var line = pts.map(function (p, k) {
            return (k ? "L" : "M") + p[0].toFixed(2) + " " + p[1].toFixed(2);
        });
        inside.appendChild(svg("path", { d: line.join(""), fill: "none", stroke: RED, "stroke-width": 1.5, "stroke-opacity": 0.7 }));
        var n = path.w.length;
        pts.forEach(function (p, k) {
            var r = k === 0 || k === n - 1 ? 5.5 : 4;
            inside.appendChild(svg("circle", { cx: p[0], cy: p[1], r: r, fill: RED, "fill-opacity": 0.25 + (0.75 * k) / (n - 1), class: "nb-lr-point" }));
        });
        s.appendChild(inside);
        // Names for the start and, when it is on the chart, the end.
        var start = pts[0];
        s.appendChild(svg("text", { x: start[0] + 9, y: start[1] + 4, fill: INK, class: "nb-lr-halo" }, "출발"));
        var end = pts[pts.length - 1];
        var onChart = pts.length === n && end[0] >= f.m.left && end[0] <= f.m.left + f.w && end[1] >= f.m.top;
        if (onChart && Math.abs(end[0] - start[0]) > 40) {
            s.appendChild(svg("text", { x: end[0], y: end[1] - 12, "text-anchor": "middle", fill: INK, class: "nb-lr-halo" }, n - 1 + "스텝 뒤"));
        }
        if (!onChart) {
            s.appendChild(svg("text", { x: f.m.left + f.w - 8, y: f.m.top + 18, "text-anchor": "end", fill: RED }, "경로가 그림 밖으로 나갔습니다"));
        }
        return s;
    }

    /** The loss at each step as bars; a bar above the chart ends in ▲. */
    function drawBars(path, width) {
        var height = 210;
        var n = path.loss.length;
        var s = newSvg(width, height, "스텝마다의 손실");
        var f = frame(width, height, [-0.5, n - 0.5], LOSS_RANGE);
        var ticks = [];
        for (var t = 0; t < n; t += width < 520 ? 5 : 2) ticks.push(t);
        axes(s, f, ticks, [0, 4, 8], "스텝 t", "손실", "nb-lr-clip-bars");
        var bw = Math.max(2, (f.w / n) * 0.6);
        path.loss.forEach(function (l, k) {
            var top = isFinite(l) ? Math.max(f.y(l), f.m.top) : f.m.top;
            var x = f.x(k) - bw / 2;
            s.appendChild(svg("rect", { x: x, y: top, width: bw, height: f.m.top + f.h - top, fill: RED, "fill-opacity": 0.25 + (0.75 * k) / (n - 1), class: "nb-lr-bar" }));
            if (!isFinite(l) || l > LOSS_RANGE[1]) {
                s.appendChild(svg("text", { x: f.x(k), y: f.m.top - 1, "text-anchor": "middle", fill: RED, "font-size": 9 }, "▲"));
            }
        });
        return s;
    }

    // ---- state ----

    var state = { learningRate: DEFAULTS.learningRate, momentum: DEFAULTS.momentum };
    var current = null;

    function describe(path) {
        var n = path.w.length - 1;
        var end = path.w[n];
        var endLoss = path.loss[n];
        var grew = !isFinite(endLoss) || endLoss > path.loss[0];
        var text = n + "스텝 뒤 w = " + fmt(end, 4) + ", 손실 " + fmt(endLoss, 4) + ". ";
        if (grew) text += "손실이 출발점보다 커졌습니다: 발산합니다.";
        else if (Math.abs(end - 1) < 1e-3) text += "최솟값 w = 1에 닿았습니다.";
        else text += "최솟값 w = 1까지 " + fmt(Math.abs(end - 1), 3) + " 남았습니다.";
        return text;
    }

    function render() {
        var path = descend(state.learningRate, state.momentum, DEFAULTS.steps);
        current = path;
        lrInput.value = String(positionOf(state.learningRate));
        muInput.value = String(state.momentum);
        lrOut.textContent = String(state.learningRate);
        muOut.textContent = state.momentum.toFixed(2);
        var width = Math.max(300, Math.min(720, Math.floor(chart.clientWidth || 640)));
        chart.replaceChildren(drawCurve(path, width));
        bars.replaceChildren(drawBars(path, width));
        status.textContent = "학습률 " + state.learningRate + ", 모멘텀 " + state.momentum.toFixed(2) + ": " + describe(path);
        tableBody.replaceChildren();
        path.w.forEach(function (w, t) {
            var r = el("tr");
            r.appendChild(el("td", {}, String(t)));
            r.appendChild(el("td", {}, fmt(w, 6)));
            r.appendChild(el("td", {}, fmt(path.loss[t], 6)));
            tableBody.appendChild(r);
        });
    }

    function set(learningRate, momentum) {
        state.learningRate = learningRate;
        state.momentum = momentum;
        render();
    }

    lrInput.addEventListener("input", function () {
        set(lrAt(Number(lrInput.value)), state.momentum);
    });
    muInput.addEventListener("input", function () {
        set(state.learningRate, Number(Number(muInput.value).toFixed(2)));
    });
    reset.addEventListener("click", function () {
        set(DEFAULTS.learningRate, DEFAULTS.momentum);
    });
    var lastWidth = root.clientWidth;
    window.addEventListener("resize", function () {
        if (root.clientWidth !== lastWidth) {
            lastWidth = root.clientWidth;
            render();
        }
    });
    render();

    // ---- the Rust snippet's path, published next to its output ----

    var stored = null;
    var ready = Promise.all([window.nnblocksArrays.load("lr-path"), window.nnblocksArrays.load("lr-path-loss")])
        .then(function (arrays) {
            stored = { w: arrays[0], loss: arrays[1] };
            var mine = descend(DEFAULTS.learningRate, DEFAULTS.momentum, DEFAULTS.steps);
            var diff = 0;
            var same = mine.w.length === stored.w.length && mine.loss.length === stored.loss.length;
            for (var i = 0; same && i < mine.w.length; i++) {
                diff = Math.max(diff, Math.abs(mine.w[i] - stored.w[i]), Math.abs(mine.loss[i] - stored.loss[i]));
            }
            same = same && diff <= 1e-6;
            check.textContent = same
                ? "확인: 처음 값(학습률 " + DEFAULTS.learningRate + ", 모멘텀 " + DEFAULTS.momentum + ")에서 이 페이지가 계산한 " + DEFAULTS.steps +
                  "스텝은 위 Rust 코드가 저장한 경로와 같습니다(가장 큰 차이 " + diff + ")."
                : "주의: 이 페이지의 경로가 Rust 코드가 저장한 경로와 다릅니다.";
            check.classList.toggle("nb-lr-mismatch", !same);
            return { same: same, maxDiff: diff };
        })
        .catch(function (e) {
            check.textContent = "Rust 코드가 저장한 경로를 읽지 못했습니다: " + e.message;
            check.classList.add("nb-lr-mismatch");
            return { same: false, error: e.message };
        });

    window.nnblocksExplorer = {
        ready: ready,
        defaults: DEFAULTS,
        path: function () {
            return { w: current.w.slice(), loss: current.loss.slice() };
        },
        set: set,
        stored: function () {
            return stored;
        },
    };
})();
