// Opens every page of the built book in headless Chromium, as a reader
// would, in the light and a dark theme, and checks what they see:
// images and figures load and have a size, formulas are MathML (no raw `$`),
// no console error, no request leaves the book, Korean search finds words
// inside inflected forms, and every figure passes the figure lint
// (figures.mjs: no text cut off or overlapping, no blank or tiny raster).
// Saves a full-page screenshot of every page.
//
//   node check.mjs [BOOK_DIR] [SCREENSHOT_DIR]
//
// Defaults: ../../target/book and ../../target/browser. Uses Debian's
// /usr/bin/chromium (or $CHROMIUM); nothing is downloaded.

import { chromium } from "playwright-core";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkFigures, svgLayout, textProblems } from "./figures.mjs";
import { checkDigitPad } from "./digit-pad.mjs";
import { checkLrExplorer } from "./lr-explorer.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bookDir = path.resolve(process.argv[2] ?? path.join(here, "../../target/book"));
const shotDir = path.resolve(process.argv[3] ?? path.join(here, "../../target/browser"));
const THEMES = ["light", "navy"];
const problems = [];

function problem(page, what) {
  problems.push(`${page}: ${what}`);
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".json": "application/json",
};

/** Serves the built book on a loopback port, like any static host. */
function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The chapter pages: every .html except mdBook's own helpers. */
function pages(dir) {
  const skip = new Set(["404.html", "toc.html"]);
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".html") && !skip.has(e.name)) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

async function checkPage(context, origin, rel, theme) {
  const page = await context.newPage();
  const name = `${rel} [${theme}]`;
  page.on("console", (m) => m.type() === "error" && problem(name, `console error: ${m.text()}`));
  page.on("pageerror", (e) => problem(name, `script error: ${e.message}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) problem(name, `request outside the book: ${url}`);
  });
  page.on("requestfailed", (r) => problem(name, `failed request: ${r.url()} (${r.failure()?.errorText})`));
  const response = await page.goto(`${origin}/${rel}`, { waitUntil: "networkidle" });
  if (!response?.ok()) problem(name, `HTTP ${response?.status()}`);

  // Lazy images: load them all before measuring.
  await page.evaluate(async () => {
    for (const img of document.images) {
      img.loading = "eager";
      if (!img.complete) await new Promise((r) => { img.onload = img.onerror = r; });
    }
  });
  const images = await page.$$eval("main img", (els) =>
    els.map((e) => {
      const box = e.getBoundingClientRect();
      const fig = e.closest("figure");
      return {
        id: fig?.id ?? e.getAttribute("src").slice(0, 60),
        natural: e.naturalWidth * e.naturalHeight,
        shown: box.width * box.height,
        visible: getComputedStyle(e).visibility !== "hidden" && getComputedStyle(e).display !== "none",
      };
    }),
  );
  for (const img of images) {
    if (img.natural === 0) problem(name, `image ${img.id} is broken (does not decode)`);
    else if (img.shown === 0 || !img.visible) problem(name, `image ${img.id} has no visible size`);
  }
  const dollar = await page.evaluate(() => {
    const main = document.querySelector("main").cloneNode(true);
    main.querySelectorAll("pre, code, math, script, style").forEach((e) => e.remove());
    const text = main.textContent;
    const i = text.indexOf("$");
    return i < 0 ? null : text.slice(Math.max(0, i - 40), i + 40).replace(/\s+/g, " ");
  });
  if (dollar) problem(name, `unrendered math: "…${dollar}…"`);
  const emptyMath = await page.$$eval(".nb-math, .nb-math-display", (els) =>
    els.filter((e) => !e.querySelector("math")).length,
  );
  if (emptyMath) problem(name, `${emptyMath} formula(s) without MathML`);

  fs.mkdirSync(path.join(shotDir, theme), { recursive: true });
  await page.screenshot({
    path: path.join(shotDir, theme, rel.replaceAll("/", "_").replace(/\.html$/, ".png")),
    fullPage: true,
  });
  await page.close();
  return images.length;
}

/** mdBook's search: a stem must find the pages where it only appears inflected. */
async function checkSearch(context, origin, all) {
  const page = await context.newPage();
  await page.goto(`${origin}/${all[0]}`, { waitUntil: "networkidle" });
  await page.locator("#mdbook-search-toggle").click();
  for (const stem of ["텐서", "코드"]) {
    const bar = page.locator("#mdbook-searchbar");
    await bar.fill(stem);
    await bar.press("End"); // mdBook searches on keyup
    await page.waitForTimeout(500);
    const results = await page.$$eval("#mdbook-searchresults li", (lis) => lis.map((li) => li.textContent));
    if (results.length === 0) {
      problem(`search "${stem}"`, "no results");
    } else if (!results.some((t) => new RegExp(`${stem}[가-힣]`).test(t))) {
      problem(`search "${stem}"`, `no result shows an inflected form such as ${stem}는 or ${stem}를`);
    }
  }
  await page.close();
}

/** print.html holds every chapter, and print styles keep figures whole. */
async function checkPrint(context, origin, all) {
  const page = await context.newPage();
  await page.goto(`${origin}/print.html`, { waitUntil: "networkidle" });
  await page.emulateMedia({ media: "print" });
  const print = await page.evaluate(() => ({
    figures: [...document.querySelectorAll("main figure.nb-figure")].map((f) => [f.id, getComputedStyle(f).breakInside]),
    outputs: document.querySelectorAll("main .nb-output").length,
  }));
  let expected = { figures: 0, outputs: 0 };
  for (const rel of all.filter((r) => !["print.html", "index.html"].includes(r))) {
    const html = fs.readFileSync(path.join(bookDir, rel), "utf8");
    expected.figures += (html.match(/<figure class="nb-figure"/g) ?? []).length;
    expected.outputs += (html.match(/<div class="nb-output[ "]/g) ?? []).length;
  }
  if (print.figures.length !== expected.figures)
    problem("print.html", `${print.figures.length} figures, the chapters have ${expected.figures}`);
  if (print.outputs !== expected.outputs)
    problem("print.html", `${print.outputs} outputs, the chapters have ${expected.outputs}`);
  for (const [id, rule] of print.figures)
    if (rule !== "avoid") problem("print.html", `figure ${id} may be cut by a page break (break-inside: ${rule})`);
  await page.close();
}

/** The lint must catch what it was built for, measured by this browser. */
async function checkLintCatches(context, origin) {
  const page = await context.newPage();
  const found = textProblems(await svgLayout(page, `${origin}/fixtures/bad-figure.svg`));
  await page.close();
  const expected = [/"-1.0" and "-1.5" overlap/, /"가중치 w1" is cut off/];
  if (found.length !== expected.length || !expected.every((re) => found.some((f) => re.test(f))))
    problem("fixtures/bad-figure.svg", `the figure lint found ${JSON.stringify(found)}, expected an overlap and a cut-off label`);
}

const server = await serve(bookDir);
const fixtures = await serve(here);
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const all = pages(bookDir);
let figures = 0;
let linted = null;
try {
  for (const theme of THEMES) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
    for (const rel of all) figures += await checkPage(context, origin, rel, theme);
    if (theme === "light") {
      await checkSearch(context, origin, all);
      await checkPrint(context, origin, all);
      await checkLintCatches(context, `http://127.0.0.1:${fixtures.address().port}`);
      linted = await checkFigures(context, origin, all, problem);
      await checkDigitPad(context, origin, problem);
      await checkLrExplorer(context, origin, problem);
    }
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
  fixtures.close();
}

console.log(`browser: ${all.length} pages x ${THEMES.length} themes, ${figures} images, screenshots in ${shotDir}`);
console.log(`figure lint: ${linted.svg} SVG figures (${linted.texts} texts) and ${linted.png} PNG figures`);
if (problems.length) {
  console.error(problems.join("\n"));
  console.log(`0 passed, ${problems.length} failed`);
  process.exit(1);
}
console.log(`${all.length * THEMES.length} passed, 0 failed`);
