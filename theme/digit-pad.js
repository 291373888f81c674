// The digit pad of section 2.1: the reader writes a digit, and the network
// that the chapter's own `fit` trained reads it, here in the browser.
//
// The chapter's snippet publishes two arrays (nnblocks_figures::array); the
// engine puts a hidden <span class="nb-array" data-name=... data-src=...>
// for each after the snippet's output:
//   digit-weights (f16): W1 [512][784], b1 [512], W2 [10][512], b2 [10],
//                        in the order of nnblocks_dense::pad::parameters;
//   digit-probs (f32):   what Rust computed with those same weights for the
//                        first 100 test images (the browser test compares).
// Nothing else is fetched: no request leaves the book.
//
// What the page does with a drawing is what MNIST's makers did with a
// scanned digit: bounding box scaled to fit 20x20 (keeping its aspect, by
// area averaging, which anti-aliases), placed in 28x28 so that its centre of
// mass is at the centre, pixels as bytes 0..255; then divided by 255 as the
// chapter does, and the two layers' forward pass in f64, as pad.rs does.
//
// For tests: window.nnblocksDigitPad = { ready, predict(pixels784), preprocess(...) }.
(function () {
    "use strict";

    var SIDE = 28; // MNIST images are 28x28
    var BOX = 20; // the digit's longer side, in MNIST pixels
    var INPUTS = SIDE * SIDE;
    var HIDDEN = 512;
    var CLASSES = 10;
    var PAD = 280; // the drawing canvas, in its own pixels (10 per MNIST pixel)
    var PEN = 22; // pen width in those pixels: about MNIST's strokes once scaled
    var INK = "#111";

    // An example digit shown before the reader writes: a "2", one stroke
    // through these points (0..1 of the pad), drawn by code, not a test image.
    var EXAMPLE = [[0.34, 0.33], [0.42, 0.22], [0.55, 0.2], [0.65, 0.28], [0.64, 0.42],
        [0.5, 0.58], [0.35, 0.76], [0.52, 0.76], [0.7, 0.76]];

    /** A smooth curve through `points` (Catmull-Rom), as many short segments. */
    function smooth(points) {
        var out = [];
        for (var i = 0; i < points.length - 1; i++) {
            var p0 = points[Math.max(0, i - 1)], p1 = points[i], p2 = points[i + 1];
            var p3 = points[Math.min(points.length - 1, i + 2)];
            for (var t = 0; t < 1; t += 0.125) {
                var t2 = t * t, t3 = t2 * t;
                out.push([0, 1].map(function (d) {
                    return 0.5 * (2 * p1[d] + (p2[d] - p0[d]) * t
                        + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * t2
                        + (3 * p1[d] - p0[d] - 3 * p2[d] + p3[d]) * t3);
                }));
            }
        }
        out.push(points[points.length - 1]);
        return out;
    }

    /** The array `name` published by the page's snippet, as numbers. */
    function loadArray(name) {
        return window.nnblocksArrays.load(name);
    }

    /** The network's probabilities for 784 pixels in 0..1: relu, then softmax. */
    function forward(params, pixels) {
        var w1 = 0, b1 = INPUTS * HIDDEN, w2 = b1 + HIDDEN, b2 = w2 + HIDDEN * CLASSES;
        var hidden = new Float64Array(HIDDEN);
        for (var j = 0; j < HIDDEN; j++) {
            var s = params[b1 + j];
            var row = w1 + j * INPUTS;
            for (var i = 0; i < INPUTS; i++) s += params[row + i] * pixels[i];
            hidden[j] = s > 0 ? s : 0;
        }
        var scores = [];
        for (var k = 0; k < CLASSES; k++) {
            var z = params[b2 + k];
            for (var h = 0; h < HIDDEN; h++) z += params[w2 + k * HIDDEN + h] * hidden[h];
            scores.push(z);
        }
        // Softmax, subtracting the largest score first so exp cannot overflow.
        var max = Math.max.apply(null, scores);
        var exps = scores.map(function (z) { return Math.exp(z - max); });
        var sum = exps.reduce(function (a, b) { return a + b; }, 0);
        return exps.map(function (e) { return e / sum; });
    }

    /** For each target cell of an axis, the source cells it covers and how
     * much of each (area averaging: the weights of a cell sum to 1). */
    function coverage(start, length, cells) {
        var step = length / cells;
        var out = [];
        for (var t = 0; t < cells; t++) {
            var a = start + t * step, b = a + step, parts = [];
            for (var s = Math.floor(a); s < b; s++) {
                var w = Math.min(b, s + 1) - Math.max(a, s);
                if (w > 1e-9) parts.push([s, w / step]);
            }
            out.push(parts);
        }
        return out;
    }

    /** MNIST's preprocessing of a drawing (`ink`: width*height values in 0..1):
     * the 784 bytes (0..255) of the 28x28 image, or null for an empty drawing. */
    function preprocess(ink, width, height) {
        var x0 = width, y0 = height, x1 = -1, y1 = -1;
        for (var y = 0; y < height; y++) {
            for (var x = 0; x < width; x++) {
                if (ink[y * width + x] > 0) {
                    if (x < x0) x0 = x;
                    if (x > x1) x1 = x;
                    if (y < y0) y0 = y;
                    if (y > y1) y1 = y;
                }
            }
        }
        if (x1 < 0) return null;
        // The bounding box, its longer side scaled to BOX, the aspect kept.
        var w = x1 - x0 + 1, h = y1 - y0 + 1;
        var scale = BOX / Math.max(w, h);
        var tw = Math.max(1, Math.round(w * scale)), th = Math.max(1, Math.round(h * scale));
        var cols = coverage(x0, w, tw), rows = coverage(y0, h, th);
        var small = new Float64Array(tw * th);
        var mass = 0, mx = 0, my = 0;
        for (var ty = 0; ty < th; ty++) {
            for (var tx = 0; tx < tw; tx++) {
                var v = 0;
                rows[ty].forEach(function (r) {
                    cols[tx].forEach(function (c) { v += r[1] * c[1] * ink[r[0] * width + c[0]]; });
                });
                small[ty * tw + tx] = v;
                mass += v;
                mx += v * tx;
                my += v * ty;
            }
        }
        // Shift by whole pixels so that the centre of mass lands on the
        // centre of the 28x28 field (13.5, 13.5 in pixel indices).
        var ox = Math.round((SIDE - 1) / 2 - mx / mass), oy = Math.round((SIDE - 1) / 2 - my / mass);
        var bytes = new Uint8Array(INPUTS);
        for (ty = 0; ty < th; ty++) {
            for (tx = 0; tx < tw; tx++) {
                var X = tx + ox, Y = ty + oy;
                if (X >= 0 && X < SIDE && Y >= 0 && Y < SIDE) {
                    bytes[Y * SIDE + X] = Math.round(255 * Math.min(1, small[ty * tw + tx]));
                }
            }
        }
        return bytes;
    }

    function el(tag, cls, parent, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined) e.textContent = text;
        if (parent) parent.appendChild(e);
        return e;
    }

    /** Builds one pad inside `root`; `model` is a promise of the parameters. */
    function makePad(root, model) {
        root.textContent = "";
        var row = el("div", "nb-dp-row", root);
        var drawBox = el("div", "nb-dp-panel nb-dp-draw-panel", row);
        var draw = el("canvas", "nb-dp-draw", drawBox);
        draw.width = draw.height = PAD;
        draw.setAttribute("aria-label", "숫자를 쓰는 칸");
        el("div", "nb-dp-label", drawBox, "여기에 숫자를 쓰세요");
        var inputBox = el("div", "nb-dp-panel nb-dp-input-panel", row);
        var input = el("canvas", "nb-dp-input", inputBox);
        input.width = input.height = SIDE;
        input.setAttribute("aria-label", "모델이 받는 28×28 입력");
        var inputLabel = el("div", "nb-dp-label", inputBox, "모델이 받는");
        inputLabel.appendChild(document.createElement("br"));
        inputLabel.appendChild(document.createTextNode("28×28 입력"));
        var side = el("div", "nb-dp-side", row);
        var result = el("div", "nb-dp-result", side, "가중치를 읽는 중…");
        var bars = el("div", "nb-dp-bars", side);
        var fills = [], values = [], lines = [];
        for (var k = 0; k < CLASSES; k++) {
            var line = el("div", "nb-dp-bar", bars);
            line.dataset.digit = k;
            el("span", "nb-dp-digit", line, String(k));
            var track = el("span", "nb-dp-track", line);
            fills.push(el("span", "nb-dp-fill", track));
            values.push(el("span", "nb-dp-value", line, ""));
            lines.push(line);
        }
        var clear = el("button", "nb-dp-clear", side, "지우기");
        clear.type = "button";
        el("p", "nb-dp-print-note", root,
            "인쇄본에는 숫자 패드 대신, 인쇄할 때 패드에 쓰여 있던 숫자와 모델의 예측을 그림으로 싣습니다.");

        var ctx = draw.getContext("2d", { willReadFrequently: true });
        var params = null, pending = false, last = null;

        function show() {
            pending = false;
            if (!params) return;
            var data = ctx.getImageData(0, 0, PAD, PAD).data;
            var ink = new Float64Array(PAD * PAD);
            for (var i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3] / 255; // alpha
            var bytes = preprocess(ink, PAD, PAD);
            // The 28x28 input as the chapter's figures draw images: darker is larger.
            var image = input.getContext("2d").createImageData(SIDE, SIDE);
            for (i = 0; i < INPUTS; i++) {
                var v = 255 - (bytes ? bytes[i] : 0);
                image.data.set([v, v, v, 255], 4 * i);
            }
            input.getContext("2d").putImageData(image, 0, 0);
            if (!bytes) {
                result.textContent = "숫자를 쓰면 모델이 읽습니다";
                fills.forEach(function (f) { f.style.width = "0"; });
                values.forEach(function (v) { v.textContent = ""; });
                lines.forEach(function (l) { l.classList.remove("nb-dp-best"); });
                root.dataset.prediction = "";
                return;
            }
            var pixels = Array.prototype.map.call(bytes, function (b) { return b / 255; });
            var probs = forward(params, pixels);
            var best = probs.indexOf(Math.max.apply(null, probs));
            probs.forEach(function (p, k) {
                fills[k].style.width = (100 * p).toFixed(1) + "%";
                values[k].textContent = p.toFixed(3);
                lines[k].classList.toggle("nb-dp-best", k === best);
            });
            result.textContent = "";
            el("span", "", result, "예측: ");
            el("b", "nb-dp-predicted", result, String(best));
            el("span", "", result, " (확률 " + probs[best].toFixed(3) + ")");
            root.dataset.prediction = String(best);
        }
        function later() {
            if (!pending) {
                pending = true;
                requestAnimationFrame(show);
            }
        }
        function pen() {
            ctx.strokeStyle = ctx.fillStyle = INK;
            ctx.lineWidth = PEN;
            ctx.lineCap = ctx.lineJoin = "round";
        }
        function dot(p) {
            pen();
            ctx.beginPath();
            ctx.arc(p[0], p[1], PEN / 2, 0, 2 * Math.PI);
            ctx.fill();
        }
        function segment(a, b) {
            pen();
            ctx.beginPath();
            ctx.moveTo(a[0], a[1]);
            ctx.lineTo(b[0], b[1]);
            ctx.stroke();
        }
        /** A pointer's place in the canvas's own pixels, whatever its CSS size. */
        function at(e) {
            var box = draw.getBoundingClientRect();
            return [(e.clientX - box.left) * PAD / box.width, (e.clientY - box.top) * PAD / box.height];
        }
        draw.addEventListener("pointerdown", function (e) {
            e.preventDefault();
            try {
                draw.setPointerCapture(e.pointerId); // keep the stroke when it leaves the pad
            } catch (err) {
                // A synthetic event has no pointer to capture; draw all the same.
            }
            last = at(e);
            dot(last);
            later();
        });
        draw.addEventListener("pointermove", function (e) {
            if (!last) return;
            var p = at(e);
            segment(last, p);
            last = p;
            later();
        });
        function up() {
            last = null;
            later();
        }
        draw.addEventListener("pointerup", up);
        draw.addEventListener("pointercancel", up);
        clear.addEventListener("click", function () {
            ctx.clearRect(0, 0, PAD, PAD);
            later();
        });

        var pts = smooth(EXAMPLE).map(function (p) { return [p[0] * PAD, p[1] * PAD]; });
        dot(pts[0]);
        for (var i = 1; i < pts.length; i++) segment(pts[i - 1], pts[i]);
        return model.then(
            function (p) {
                params = p;
                show();
            },
            function (err) {
                result.textContent = "가중치를 읽지 못했습니다: " + err.message;
                root.classList.add("nb-dp-failed");
            },
        );
    }

    function start() {
        var pads = document.querySelectorAll(".nb-digit-pad");
        if (!pads.length) return;
        var model = loadArray("digit-weights").then(function (p) {
            var expected = INPUTS * HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES;
            if (p.length !== expected) throw new Error(p.length + " parameters, expected " + expected);
            return p;
        });
        var built = Array.prototype.map.call(pads, function (root) { return makePad(root, model); });
        var api = {
            // Resolves when the weights are in (rejects if they cannot be read).
            ready: model.then(function () { return Promise.all(built); }).then(function () { return true; }),
            // The probabilities for 784 pixels in 0..1, as the chapter feeds an image.
            predict: function (pixels) {
                return model.then(function (p) { return forward(p, pixels); });
            },
            preprocess: preprocess,
            loadArray: loadArray,
        };
        api.ready.catch(function () {}); // the pad shows the error; no unhandled rejection
        window.nnblocksDigitPad = api;
    }

    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();
