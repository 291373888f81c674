// The digit pad of section 2.1 (theme/digit-pad.js), checked in the browser:
//
// - the page's forward pass, on the first 100 MNIST test images (read here
//   from data/mnist and divided by 255, as the chapter does), gives the
//   probabilities that Rust computed with the same f16 weights and stored as
//   the array "digit-probs": max abs difference <= 1e-6, same argmax for all;
// - digits drawn with the mouse (desktop) and with touch (phone width) give
//   a prediction and ten bars; 지우기 empties the pad; the print view shows
//   the pad as a picture without its button, with a note;
// - no console error, no request outside the book.
// It logs what the pad read from the digits it drew.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const PAGE = "ch02/01-first-network.html";
const IMAGES = 100;
// The issue asks for 1e-4; the reference is stored as f32 (about 6e-8 off),
// so a much tighter bound holds and catches smaller slips (biases 0.1% off
// give 8e-5, subnormal weights read as 0 give 3e-6).
const TOLERANCE = 1e-6;

/** The first `n` test images, each 784 pixels divided by 255. */
function testImages(n) {
  const file = path.join(here, "../../data/mnist/t10k-images-idx3-ubyte.gz");
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  if (bytes.readUInt32BE(0) !== 0x803 || bytes.readUInt32BE(8) !== 28 || bytes.readUInt32BE(12) !== 28)
    throw new Error(`${file} is not an IDX file of 28x28 images`);
  return Array.from({ length: n }, (_, i) =>
    Array.from(bytes.subarray(16 + i * 784, 16 + (i + 1) * 784), (b) => b / 255),
  );
}

const argmax = (row) => row.indexOf(Math.max(...row));

/** Strokes of hand-drawn digits, in 0..1 of the pad (polylines, as a hand moves). */
const DIGITS = {
  1: [[[0.45, 0.2], [0.5, 0.15], [0.5, 0.5], [0.5, 0.85]]],
  7: [[[0.25, 0.2], [0.5, 0.2], [0.75, 0.2], [0.65, 0.4], [0.55, 0.6], [0.45, 0.85]]],
  0: [[[0.5, 0.15], [0.33, 0.25], [0.27, 0.5], [0.33, 0.75], [0.5, 0.85], [0.67, 0.75], [0.73, 0.5],
       [0.67, 0.25], [0.5, 0.15]]],
  4: [[[0.4, 0.15], [0.28, 0.55], [0.72, 0.55]], [[0.62, 0.25], [0.6, 0.85]]],
};

/** Points between a and b, `steps` of them, as pointer moves come. */
function between(a, b, steps) {
  return Array.from({ length: steps }, (_, i) => [a[0] + ((b[0] - a[0]) * (i + 1)) / steps, a[1] + ((b[1] - a[1]) * (i + 1)) / steps]);
}

/** What the pad shows: predicted digit, bar widths and values. */
function padState(page) {
  return page.$eval(".nb-digit-pad", (pad) => ({
    prediction: pad.dataset.prediction,
    result: pad.querySelector(".nb-dp-result").textContent,
    bars: [...pad.querySelectorAll(".nb-dp-bar")].map((b) => ({
      digit: b.dataset.digit,
      width: b.querySelector(".nb-dp-fill").getBoundingClientRect().width,
      track: b.querySelector(".nb-dp-track").getBoundingClientRect().width,
      value: b.querySelector(".nb-dp-value").textContent,
      best: b.classList.contains("nb-dp-best"),
    })),
    ink: [...pad.querySelector(".nb-dp-input").getContext("2d").getImageData(0, 0, 28, 28).data]
      .filter((v, i) => i % 4 === 0 && v < 255).length,
  }));
}

/** Problems with a pad that should show a prediction. */
function predictionProblems(state) {
  const out = [];
  if (!/^[0-9]$/.test(state.prediction ?? "")) out.push(`no predicted digit (shows "${state.result}")`);
  if (state.bars.length !== 10) out.push(`${state.bars.length} bars, not 10`);
  const values = state.bars.map((b) => Number(b.value));
  if (state.bars.some((b) => !/^[01]\.\d{3}$/.test(b.value))) out.push(`bar values ${JSON.stringify(values)}`);
  else if (Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 0.01) out.push(`bar values sum to ${values.reduce((a, b) => a + b, 0)}`);
  const best = state.bars.filter((b) => b.best).map((b) => b.digit);
  if (best.length !== 1 || best[0] !== state.prediction) out.push(`highlighted bar ${best} for prediction ${state.prediction}`);
  const widest = state.bars.reduce((a, b) => (b.width > a.width ? b : a));
  if (widest.digit !== state.prediction) out.push(`the longest bar is ${widest.digit}, the prediction ${state.prediction}`);
  if (state.ink === 0) out.push("the 28x28 input is blank");
  return out;
}

/** Draws `strokes` on the pad: `move(x, y)`, `down()`, `up()` act in page pixels. */
async function drawDigit(page, strokes, input) {
  // In the middle of the screen: mdBook's menu bar covers the top.
  await page.$eval(".nb-dp-draw", (e) => e.scrollIntoView({ block: "center" }));
  const box = await page.locator(".nb-dp-draw").boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    await input.down(at(stroke[0]));
    for (let i = 1; i < stroke.length; i++)
      for (const p of between(stroke[i - 1], stroke[i], 6)) await input.move(at(p));
    await input.up();
  }
  await page.waitForTimeout(100); // the pad redraws on the next animation frame
}

/** Clears the pad and checks it is empty. */
async function clear(page, problem, where) {
  await page.locator(".nb-dp-clear").click();
  await page.waitForTimeout(100);
  const state = await padState(page);
  if (state.prediction !== "" || state.ink !== 0 || state.bars.some((b) => b.width > 0.5))
    problem(where, `지우기 leaves prediction "${state.prediction}", ${state.ink} inked input pixels`);
}

/** Opens the chapter with the listeners every page gets in check.mjs. */
async function open(context, origin, problem, where) {
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && problem(where, `console error: ${m.text()}`));
  page.on("pageerror", (e) => problem(where, `script error: ${e.message}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) problem(where, `request outside the book: ${url}`);
  });
  await page.goto(`${origin}/${PAGE}`, { waitUntil: "networkidle" });
  const ready = await page.evaluate(() =>
    window.nnblocksDigitPad ? window.nnblocksDigitPad.ready.then(() => "ready", (e) => String(e)) : "no pad",
  );
  if (ready !== "ready") problem(where, `the pad is not ready: ${ready}`);
  return ready === "ready" ? page : (await page.close(), null);
}

export async function checkDigitPad(context, origin, problem) {
  const where = `${PAGE} digit pad`;
  const page = await open(context, origin, problem, where);
  if (!page) return null;
  const read = {};

  // The page's forward pass against Rust's, on the same 100 test images.
  const images = testImages(IMAGES);
  const { stored, fromPage } = await page.evaluate(async (images) => {
    // The stored array, fetched and decoded here (f32 little-endian), not by the page's code.
    const el = document.querySelector('.nb-array[data-name="digit-probs"]');
    const view = new DataView(await (await fetch(el.dataset.src)).arrayBuffer());
    const stored = Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(4 * i, true));
    const fromPage = [];
    for (const pixels of images) fromPage.push(await window.nnblocksDigitPad.predict(pixels));
    return { stored, fromPage };
  }, images);
  let maxDiff = 0;
  let sameDigit = 0;
  if (stored.length !== IMAGES * 10) problem(where, `digit-probs holds ${stored.length} numbers, not ${IMAGES * 10}`);
  else {
    fromPage.forEach((probs, i) => {
      const rust = stored.slice(10 * i, 10 * i + 10);
      probs.forEach((p, k) => (maxDiff = Math.max(maxDiff, Math.abs(p - rust[k]))));
      if (argmax(probs) === argmax(rust)) sameDigit++;
    });
    if (!(maxDiff <= TOLERANCE)) problem(where, `page and Rust probabilities differ by up to ${maxDiff} (allowed ${TOLERANCE})`);
    if (sameDigit !== IMAGES) problem(where, `page and Rust predict the same digit for ${sameDigit} of ${IMAGES} images`);
  }

  // The example digit, then digits drawn with the mouse.
  const example = await padState(page);
  for (const what of predictionProblems(example)) problem(`${where} (example)`, what);
  read.example = example.prediction;
  const mouse = {
    down: async ([x, y]) => (await page.mouse.move(x, y), await page.mouse.down()),
    move: ([x, y]) => page.mouse.move(x, y),
    up: () => page.mouse.up(),
  };
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    await clear(page, problem, where);
    await drawDigit(page, strokes, mouse);
    const state = await padState(page);
    for (const what of predictionProblems(state)) problem(`${where} (mouse ${digit})`, what);
    read[`mouse ${digit}`] = state.prediction;
  }

  // Print: the controls go, a note says what the picture is, the bars keep their colours.
  await page.emulateMedia({ media: "print" });
  const print = await page.evaluate(() => {
    const shown = (sel) => getComputedStyle(document.querySelector(sel)).display !== "none";
    return {
      button: shown(".nb-dp-clear"),
      note: shown(".nb-dp-print-note"),
      pictures: shown(".nb-dp-draw") && shown(".nb-dp-input") && shown(".nb-dp-bars"),
      colours: getComputedStyle(document.querySelector(".nb-dp-fill")).printColorAdjust,
    };
  });
  if (print.button || !print.note || !print.pictures || print.colours !== "exact")
    problem(`${where} (print)`, `print view ${JSON.stringify(print)}`);
  await page.close();

  // Touch at phone width: Chromium turns these touches into pointer events.
  const phone = await context.browser().newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await phone.addInitScript(() => localStorage.setItem("mdbook-theme", "navy"));
  const touchPage = await open(phone, origin, problem, `${where} [phone]`);
  if (touchPage) {
    const cdp = await phone.newCDPSession(touchPage);
    const touch = (type, points) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points.map(([x, y]) => ({ x, y })) });
    const finger = { down: (p) => touch("touchStart", [p]), move: (p) => touch("touchMove", [p]), up: () => touch("touchEnd", []) };
    await clear(touchPage, problem, `${where} [phone]`);
    // Centre the pad first, then count scrolls: a finger on the pad must draw, not scroll.
    await touchPage.$eval(".nb-dp-draw", (e) => e.scrollIntoView({ block: "center" }));
    await touchPage.evaluate(() => {
      window.nbScrolls = 0;
      addEventListener("scroll", () => window.nbScrolls++);
    });
    await drawDigit(touchPage, DIGITS[7], finger);
    const state = await padState(touchPage);
    for (const what of predictionProblems(state)) problem(`${where} (touch 7)`, what);
    if (await touchPage.evaluate(() => window.nbScrolls)) problem(`${where} (touch 7)`, "drawing scrolled the page");
    read["touch 7"] = state.prediction;
  }
  await phone.close();

  // Most of the digits drawn here should be read right; which ones are is logged.
  const right = Object.keys(DIGITS).filter((d) => read[`mouse ${d}`] === d).length;
  if (right < Object.keys(DIGITS).length - 1)
    problem(where, `the pad read only ${right} of ${Object.keys(DIGITS).length} drawn digits right: ${JSON.stringify(read)}`);
  const drawn = Object.entries(read).map(([how, digit]) => `${how} -> ${digit || "nothing"}`).join(", ");
  console.log(
    `digit pad: page vs Rust on ${IMAGES} test images: max abs difference ${maxDiff.toExponential(1)}, ` +
      `same digit for ${sameDigit}; drawn: ${drawn}`,
  );
  return { maxDiff, sameDigit, read };
}
