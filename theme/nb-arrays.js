// The arrays a page's snippets published (nnblocks_figures::array): the
// engine puts a hidden <span class="nb-array" data-name data-format data-src>
// after the snippet's output, its data-src a data: URL (so a book opened from
// disk reads it too). One reader for every page script:
//
//   window.nnblocksArrays.load("digit-weights")  // Promise<Float64Array>
(function () {
    "use strict";

    /** The number that IEEE 754 half-precision `bits` stand for. */
    function f16(bits) {
        var sign = bits & 0x8000 ? -1 : 1;
        var exp = (bits >> 10) & 0x1f;
        var man = bits & 0x3ff;
        if (exp === 0) return sign * man * Math.pow(2, -24); // zero, subnormal
        if (exp === 0x1f) return man ? NaN : sign * Infinity;
        return sign * (1 + man / 1024) * Math.pow(2, exp - 15);
    }

    /** The little-endian numbers of `buf`, `size` bytes each. */
    function decode(buf, size) {
        var view = new DataView(buf);
        var out = new Float64Array(Math.floor(buf.byteLength / size));
        for (var i = 0; i < out.length; i++) {
            var at = i * size;
            out[i] = size === 2 ? f16(view.getUint16(at, true))
                : size === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true);
        }
        return out;
    }

    /** The array `name` published on this page, as numbers. */
    function load(name) {
        var el = document.querySelector('.nb-array[data-name="' + name + '"]');
        if (!el) return Promise.reject(new Error("no array " + name + " on this page"));
        var size = { f16: 2, f32: 4, f64: 8 }[el.dataset.format];
        if (!size) return Promise.reject(new Error(name + ": unknown format " + el.dataset.format));
        return fetch(el.dataset.src)
            .then(function (res) {
                if (!res.ok) throw new Error(name + ": HTTP " + res.status);
                return res.arrayBuffer();
            })
            .then(function (buf) {
                return decode(buf, size);
            });
    }

    window.nnblocksArrays = { load: load };
})();
