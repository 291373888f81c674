// The learning-rate explorer of 2.4.3 (theme/lr-explorer.js), as a reader
// uses it: at the chapter's settings its path must be the one the Rust
// snippet published (the f64 arrays "lr-path" and "lr-path-loss", read here
// the way the page reads them, within MAX_DIFF); moving a slider must
// redraw a different path; what the prose tells the reader to try must be
// what the page does; it must fit a phone's width; the print view hides the
// controls. No console error and no request outside the book, meanwhile.

const PAGE = "ch02/04-gradient-optimization.html";
/** The page's path at the defaults against the stored Rust path. */
const MAX_DIFF = 1e-6;

/** The stored arrays, fetched and decoded here, not by the page's code. */
async function storedPath(page) {
  return page.evaluate(async () => {
    const read = async (name) => {
      const span = document.querySelector(`.nb-array[data-name="${name}"]`);
      if (!span) return null;
      const buf = await (await fetch(span.dataset.src)).arrayBuffer();
      return Array.from(new Float64Array(buf.slice(0, buf.byteLength - (buf.byteLength % 8))));
    };
    return { w: await read("lr-path"), loss: await read("lr-path-loss") };
  });
}

const pathNow = (page) => page.evaluate(() => window.nnblocksExplorer.path());
const setHook = (page, lr, mu) => page.evaluate(([a, b]) => window.nnblocksExplorer.set(a, b), [lr, mu]);

/** Moves a slider as a reader's drag does: a new value, then input events. */
async function slide(page, selector, value) {
  await page.locator(selector).evaluate((input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, value);
}

function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

export async function checkLrExplorer(context, origin, problem) {
  const name = `${PAGE} (learning-rate explorer)`;
  const fail = (what) => problem(name, what);
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && fail(`console error: ${m.text()}`));
  page.on("pageerror", (e) => fail(`script error: ${e.message}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) fail(`request outside the book: ${url}`);
  });
  await page.goto(`${origin}/${PAGE}`, { waitUntil: "networkidle" });
  const result = { maxDiff: null };
  try {
    if (!(await page.evaluate(() => Boolean(window.nnblocksExplorer)))) {
      fail("the explorer did not start (no window.nnblocksExplorer)");
      return result;
    }
    const own = await page.evaluate(() => window.nnblocksExplorer.ready);
    if (!own.same) fail(`the page says its path differs from the stored one: ${JSON.stringify(own)}`);

    // 1. At the defaults, the page's path is the Rust snippet's.
    const stored = await storedPath(page);
    const mine = await pathNow(page);
    if (!stored.w || !stored.loss) {
      fail("the page has no published arrays lr-path and lr-path-loss");
    } else if (stored.w.length !== mine.w.length || stored.loss.length !== mine.loss.length) {
      fail(`the stored path has ${stored.w.length} points and ${stored.loss.length} losses, the page ${mine.w.length} and ${mine.loss.length}`);
    } else {
      result.maxDiff = Math.max(maxDiff(mine.w, stored.w), maxDiff(mine.loss, stored.loss));
      result.points = mine.w.length;
      if (!(result.maxDiff <= MAX_DIFF))
        fail(`at the defaults the page's path differs from the stored Rust path by ${result.maxDiff} (at most ${MAX_DIFF})`);
    }

    // 2. Moving a slider redraws a different path, and the readout follows.
    const before = await page.locator(".nb-lr-chart svg").first().innerHTML();
    await slide(page, "#nb-lr-rate", 0); // the smallest learning rate
    const slow = await pathNow(page);
    const readout = await page.locator('output[for="nb-lr-rate"]').textContent();
    if (maxDiff(slow.w, mine.w) === 0) fail("moving the learning-rate slider did not change the path");
    if (readout !== "0.01") fail(`at the slider's left end the learning rate reads ${readout}, not 0.01`);
    if ((await page.locator(".nb-lr-chart svg").first().innerHTML()) === before) fail("moving the learning-rate slider did not redraw the chart");
    // The prose: at 0.01 the ball is still near the start after 20 steps.
    if (!(slow.w.at(-1) < -1)) fail(`at learning rate 0.01 the path ends at w = ${slow.w.at(-1)}, not near the start`);
    await page.locator(".nb-lr-reset").click();
    if (maxDiff((await pathNow(page)).w, mine.w) !== 0) fail("처음 값으로 does not bring back the default path");
    await slide(page, "#nb-lr-momentum", 0.9);
    const rolling = await pathNow(page);
    if (maxDiff(rolling.w, mine.w) === 0) fail("moving the momentum slider did not change the path");
    // The prose: at learning rate 0.5 and momentum 0.9 the ball has not settled after 20 steps.
    if (!(Math.abs(rolling.w.at(-1) - 1) > 0.5)) fail(`momentum 0.9 ends at w = ${rolling.w.at(-1)}, settled`);
    await slide(page, "#nb-lr-rate", 400); // the largest learning rate, 3
    await slide(page, "#nb-lr-momentum", 0);
    const wild = await pathNow(page);
    if (!wild.loss.every((l, t) => t === 0 || l > wild.loss[t - 1]))
      fail(`at learning rate 3 without momentum the loss does not grow every step: ${wild.loss}`);
    const status = await page.locator(".nb-lr-status").textContent();
    if (!status.includes("발산")) fail(`at learning rate 3 the status does not say it diverges: ${status}`);

    // 3. What the prose tells the reader to try (the hook sets exact values).
    await setHook(page, 1, 0);
    if ((await pathNow(page)).w[1] !== 1) fail("learning rate 1 does not reach w = 1 in one step");
    await setHook(page, 2, 0);
    const bounce = (await pathNow(page)).w;
    if (!bounce.every((w, t) => w === (t % 2 ? 4 : -2))) fail(`learning rate 2 does not bounce between -2 and 4: ${bounce}`);
    await setHook(page, 1.5, 0);
    const zigzag = (await pathNow(page)).w;
    if (!(zigzag[1] > 1 && zigzag[2] < 1 && Math.abs(zigzag.at(-1) - 1) < 1e-3)) fail(`learning rate 1.5 does not zig-zag to the minimum: ${zigzag}`);
    await setHook(page, 2.2, 0);
    const lost = await pathNow(page);
    await setHook(page, 2.2, 0.5);
    const caught = await pathNow(page);
    if (!(lost.loss.at(-1) > lost.loss[0] && Math.abs(caught.w.at(-1) - 1) < 1e-2))
      fail(`momentum 0.5 does not catch learning rate 2.2: ends at w = ${lost.w.at(-1)} and ${caught.w.at(-1)}`);
    await setHook(page, 0.1, 0);
    const plain = (await pathNow(page)).w.at(-1);
    await setHook(page, 0.1, 0.5);
    const pushed = (await pathNow(page)).w.at(-1);
    if (!(Math.abs(pushed - 1) < Math.abs(plain - 1) / 10))
      fail(`at learning rate 0.1 momentum 0.5 does not reach the minimum much sooner: ${pushed} vs ${plain}`);

    // 4. At a phone's width it fits, and print hides the controls.
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 800 });
    await phone.goto(`${origin}/${PAGE}`, { waitUntil: "networkidle" });
    const fit = await phone.evaluate(() => {
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      const root = box(".nb-lr-explorer");
      const parts = [".nb-lr-controls", ".nb-lr-chart svg", ".nb-lr-bars svg", ".nb-lr-status"].map((s) => [s, box(s)]);
      return { width: innerWidth, root: root.right, over: parts.filter(([, b]) => b.right > root.right + 0.5 || b.left < root.left - 0.5).map(([s]) => s) };
    });
    if (fit.root > fit.width + 0.5) fail(`at 390 px the explorer is ${fit.root} px wide`);
    if (fit.over.length) fail(`at 390 px these stick out of the explorer: ${fit.over.join(", ")}`);
    await phone.close();
    await page.emulateMedia({ media: "print" });
    const shown = await page.evaluate(() =>
      [".nb-lr-controls", ".nb-lr-print", ".nb-lr-chart svg"].map((s) => getComputedStyle(document.querySelector(s)).display),
    );
    if (shown[0] !== "none" || shown[1] === "none" || shown[2] === "none")
      fail(`print view: controls, note and chart display ${shown.join(", ")} (want none, shown, shown)`);
    await page.emulateMedia({ media: "screen" });
  } finally {
    await page.close();
  }
  console.log(`lr explorer: ${result.points} points at the defaults, max abs difference from the stored Rust path ${result.maxDiff}`);
  return result;
}
