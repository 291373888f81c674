// The figure lint: what a reader would see wrong in a figure, measured by the
// browser's own layout.
//
// SVG figures: every <text> must lie inside the figure, and no two texts may
// overlap, nor sit side by side closer than GAP_PX (so "-1.0-1.5" does not
// read as one label). Text boxes come from
// getBoundingClientRect, so they are the glyphs as Chromium lays them out
// with the fonts installed, NanumGothic for Hangul). PNG figures: they must
// decode, be at least MIN_SIDE pixels on each side, and not be blank.

/** Texts one above the other may overlap by this much: a box includes the
 * font's line spacing, not just ink. */
const OVERLAP_PX = 1.5;
/** Texts side by side on one line need at least this much space between. */
const GAP_PX = 2;
/** Text may poke this far out of the canvas (anti-aliasing, rounding). */
const EDGE_PX = 1;
/** The smallest side a raster figure may have. */
const MIN_SIDE = 64;

/** The figures of a page: label, number and image address. */
async function figuresOf(page) {
  return page.$$eval("main figure.nb-figure", (figs) =>
    figs.map((f) => ({
      label: f.id.replace(/^fig-/, ""),
      number: f.querySelector(".nb-figure-number")?.textContent ?? "?",
      src: f.querySelector("img")?.src ?? "",
    })),
  );
}

/** The text boxes of the SVG document open in `page`, and its size. */
async function textBoxes(page) {
  return page.evaluate(async () => {
    await document.fonts.ready;
    const svg = document.documentElement;
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    return {
      width: svg.width.baseVal.value,
      height: svg.height.baseVal.value,
      boxes: texts.map((t) => {
        const b = t.getBoundingClientRect();
        return { text: t.textContent.trim(), x0: b.left, y0: b.top, x1: b.right, y1: b.bottom };
      }),
    };
  });
}

const isSvg = (src) => src.endsWith(".svg") || src.startsWith("data:image/svg");

/** Opens the SVG at `src` on its own in `page` and measures its texts. */
export async function svgLayout(page, src) {
  await page.goto(src, { waitUntil: "load" });
  return textBoxes(page);
}

/** The problems of one SVG figure's texts, as sentences. */
export function textProblems({ width, height, boxes }) {
  const out = [];
  const px = (v) => Math.round(v);
  for (const b of boxes) {
    if (b.x0 < -EDGE_PX || b.y0 < -EDGE_PX || b.x1 > width + EDGE_PX || b.y1 > height + EDGE_PX)
      out.push(
        `text "${b.text}" is cut off: it spans x ${px(b.x0)}..${px(b.x1)}, y ${px(b.y0)}..${px(b.y1)} ` +
          `on a ${width}x${height} figure`,
      );
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const dx = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
      const dy = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      if (dy <= OVERLAP_PX || dx <= -GAP_PX || scripted(a, b)) continue;
      if (dx > 0) out.push(`texts "${a.text}" and "${b.text}" overlap by ${px(dx)}x${px(dy)} px`);
      else out.push(`texts "${a.text}" and "${b.text}" touch: ${(-dx).toFixed(1)} px apart on one line`);
    }
  }
  return out;
}

/** A text much smaller than the one it touches is its sub- or superscript,
 * set there on purpose (a, (2), 1 for the weight a₁⁽²⁾). */
function scripted(a, b) {
  const [ha, hb] = [a.y1 - a.y0, b.y1 - b.y0];
  return Math.min(ha, hb) < 0.8 * Math.max(ha, hb);
}

/** Size and blankness of a PNG figure, measured on a canvas in `page`. */
async function rasterFacts(page, src) {
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    try {
      await img.decode();
    } catch {
      return { decoded: false };
    }
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let differing = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing++;
    return { decoded: true, width: img.naturalWidth, height: img.naturalHeight, differing };
  }, src);
}

function rasterProblems(f) {
  if (!f.decoded) return ["does not decode"];
  const out = [];
  if (f.width < MIN_SIDE || f.height < MIN_SIDE) out.push(`is only ${f.width}x${f.height} pixels`);
  if (f.differing === 0) out.push("is blank: every pixel has one colour");
  return out;
}

/**
 * Checks every figure of every page; reports through `problem(where, what)`.
 * Returns how many SVG and PNG figures and SVG texts were checked.
 */
export async function checkFigures(context, origin, pages, problem) {
  const counts = { svg: 0, png: 0, texts: 0 };
  const page = await context.newPage();
  const svgPage = await context.newPage();
  // index.html is a copy of the first chapter, print.html of them all.
  for (const rel of pages.filter((r) => r !== "print.html" && r !== "index.html")) {
    await page.goto(`${origin}/${rel}`, { waitUntil: "networkidle" });
    for (const fig of await figuresOf(page)) {
      const where = `${rel} ${fig.number} (${fig.label})`;
      if (isSvg(fig.src)) {
        const layout = await svgLayout(svgPage, fig.src);
        counts.svg++;
        counts.texts += layout.boxes.length;
        for (const what of textProblems(layout)) problem(where, what);
      } else {
        counts.png++;
        for (const what of rasterProblems(await rasterFacts(page, fig.src))) problem(where, `the image ${what}`);
      }
    }
  }
  await Promise.all([page.close(), svgPage.close()]);
  return counts;
}
