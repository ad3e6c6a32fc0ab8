// Where a page's blocking time after its first paint comes from: the sum, over long tasks, of
// each one's time beyond 50 ms (as in Lighthouse's total blocking time), at 4x CPU
// throttling, measured in three ways:
//
//   first    a first visit, as shipped;
//   eager    the same with V8's lazy compilation of WebAssembly turned off (a Chrome flag a
//            page cannot set): the functions are compiled on background threads while the
//            module downloads, instead of on the main thread when each is first called;
//   return   a return visit after the browser restarts with the same profile (its HTTP cache).
//
// The gap between `first` and `eager` is what compiling the app's code on the main thread
// costs. Usage: node main_thread.mjs BASE RUNS PATH COOKIE [PATH COOKIE ...]
// (COOKIE "-" for none). Prints one Markdown row per page: medians of RUNS loads.
import { chromium } from "@playwright/test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [base, runsArg, ...pairs] = process.argv.slice(2);
const runs = Number(runsArg);
if (!base || !runs || pairs.length % 2) {
  console.error("usage: main_thread.mjs BASE RUNS PATH COOKIE [PATH COOKIE ...]");
  process.exit(2);
}

// Long enough for the app to download, hydrate and settle at 4x throttling.
const SETTLE_MS = 4000;

async function load(profileDir, flags, route, cookie) {
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // No first-run or background work of the browser's, as in the Lighthouse runs.
    args: [
      "--no-sandbox",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...flags,
    ],
    viewport: { width: 412, height: 823 },
  });
  try {
    if (cookie !== "-") {
      const [name, value] = cookie.split(/=(.*)/s);
      await ctx.addCookies([{ name, value, url: base }]);
    }
    await ctx.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
      }).observe({ type: "longtask", buffered: true });
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    await page.goto(base + route);
    // A fixed wait, not a selector: Playwright's polling would add tasks of its own.
    await page.waitForTimeout(SETTLE_MS);
    const r = await page.evaluate(() => {
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
      const blocking = window.__longTasks
        .filter(([start]) => start >= fcp)
        .reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0);
      return { hydrated: document.documentElement.hasAttribute("data-hydrated"), blocking };
    });
    if (!r.hydrated) throw new Error(`${route} did not hydrate within ${SETTLE_MS} ms`);
    return r.blocking;
  } finally {
    await ctx.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fresh = () => fs.mkdtempSync(path.join(os.tmpdir(), "portico-main-thread-"));

console.log("| page | first visit | lazy compilation off | return visit |");
console.log("|---|---:|---:|---:|");
for (let i = 0; i < pairs.length; i += 2) {
  const [route, cookie] = [pairs[i], pairs[i + 1]];
  const first = [], eager = [], back = [];
  // Interleaved, so that the machine's noise falls on all three alike.
  for (let r = 0; r < runs; r++) {
    const dir = fresh();
    first.push(await load(dir, [], route, cookie));
    back.push(await load(dir, [], route, cookie));
    fs.rmSync(dir, { recursive: true, force: true });
    const eagerDir = fresh();
    eager.push(await load(eagerDir, ["--js-flags=--no-wasm-lazy-compilation"], route, cookie));
    fs.rmSync(eagerDir, { recursive: true, force: true });
  }
  const ms = (xs) => `${Math.round(median(xs))} ms`;
  console.log(`| ${route} | ${ms(first)} | ${ms(eager)} | ${ms(back)} |`);
}
