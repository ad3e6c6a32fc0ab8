import { expect, test, type APIRequestContext, type Page } from "./fixtures";
import fs from "node:fs";
import path from "node:path";
import { admin, jsEnabled, patient, ready, signInAsPatient, signInAsStaff, submitSignIn } from "./helpers";

// The built site the server under test serves (scripts/build.sh: split and precompressed).
const pkg = path.resolve(__dirname, "../../target/site/pkg");
// What a phone downloads before a page is interactive, brotli-compressed as served: the main
// module and the route's bundle of chunks (scripts/bundle_chunks.mjs). These are today's
// figures with a little room, so that any growth fails CI. The goal is 150 kB for the first
// page and 40 kB for a route's own chunks. The main module (271 kB: the Leptos runtime,
// router, layouts and every page's static text, since splitting moves code but not data) is
// what stands between the two (the README's performance section says why). Bundling each
// route's chunks into one file took the largest route's chunks from 128 kB in 154 files to
// 81 kB in one.
// wasm-split's placement of shared code moves a kilobyte or two between builds of nearly the
// same code, so the budgets have that much room.
const FIRST_PAGE_BROTLI = 355_000;
const ROUTE_CHUNKS_BROTLI = 83_000;
const MAIN_MODULE_BROTLI = 272_500;

/** The content of a `<meta name=…>` the server wrote in the page's head, split on spaces. */
function metaFiles(html: string, name: string): string[] {
  const tag = [...html.matchAll(/<meta\b[^>]*>/g)].map((m) => m[0]).find((t) => t.includes(`name="${name}"`));
  return tag ? (/content="([^"]*)"/.exec(tag)?.[1] ?? "").split(" ").filter(Boolean) : [];
}

/** The WASM a page fetches for its first view, as the server named it in its head: the main
 * module first, then the route's bundle of chunks (or, for a build without bundles, each
 * chunk). */
function pageWasm(html: string): string[] {
  const files = [...metaFiles(html, "portico-app"), ...metaFiles(html, "portico-chunks")];
  return [...new Set(files.filter((f) => /\.(?:wasm|bin)$/.test(f)))];
}

function brotliBytes(href: string): number {
  return fs.statSync(path.join(pkg, path.basename(href) + ".br")).size;
}

async function html(request: APIRequestContext, url: string) {
  const res = await request.get(url);
  expect(res.status(), url).toBe(200);
  return res.text();
}

async function signInRequest(page: Page, who: { username: string; password: string }, staff = false) {
  await page.goto(staff ? "/staff/login" : "/login");
  await submitSignIn(page, who.username, who.password);
  await expect(page).toHaveURL(staff ? /\/staff$/ : /\/$/);
}

/** Every route, with real ids from the demo data. */
async function patientRoutes(request: APIRequestContext) {
  const list = await html(request, "/appointments");
  const appointment = /href="\/appointments\/(\d+)"/.exec(list)?.[1];
  const search = await html(request, "/appointments/book?q=patel");
  const provider = /href="\/appointments\/book\/(\d+)[^"]*"/.exec(search)?.[1];
  const messages = await html(request, "/messages");
  const conversation = /href="\/messages\/(\d+)"/.exec(messages)?.[1];
  expect(appointment && provider && conversation).toBeTruthy();
  return [
    "/", "/appointments", "/appointments/book", `/appointments/book/${provider}`,
    `/appointments/${appointment}`, `/appointments/${appointment}/cancel`,
    `/appointments/${appointment}/reschedule`, "/messages", "/messages/new", `/messages/${conversation}`,
    "/health-record", "/health-record/send", "/activity", "/account",
  ];
}

async function staffRoutes(request: APIRequestContext) {
  const patients = await html(request, "/staff/patients");
  const chart = /href="\/staff\/patients\/(\d+)"/.exec(patients)?.[1];
  const requests = await html(request, "/staff/requests");
  const appointment = /href="\/staff\/appointments\/(\d+)"/.exec(requests)?.[1];
  const inbox = await html(request, "/staff/messages?filter=all");
  const conversation = /href="\/staff\/messages\/(\d+)"/.exec(inbox)?.[1];
  expect(chart && appointment && conversation).toBeTruthy();
  return [
    "/staff", "/staff/requests", `/staff/appointments/${appointment}`, "/staff/patients",
    `/staff/patients/${chart}`, `/staff/patients/${chart}/record`, "/staff/schedule", "/staff/schedule/hours?provider=1", "/staff/messages",
    `/staff/messages/${conversation}`, `/staff/messages/new?chart=${chart}`, "/staff/messages/settings",
    "/staff/settings", "/staff/settings/staff", "/staff/settings/account", "/staff/audit",
  ];
}

const PUBLIC = ["/login", "/staff/login", "/forgot-password", "/forgot-username", "/enroll/not-a-token", "/reset-password/not-a-token", "/staff/set-password/not-a-token", "/staff/login/code"];

test("every route's first-page WASM stays within its budget", async ({ browser }, info) => {
  test.skip(!jsEnabled(info), "the budget does not depend on the browser's JavaScript");
  const rows: { route: string; files: number; main: number; chunks: number }[] = [];
  const measure = async (request: APIRequestContext, route: string) => {
    const wasm = pageWasm(await html(request, route));
    expect(wasm.length, `${route} names the main module and its own chunk`).toBeGreaterThanOrEqual(2);
    const [main, ...chunks] = wasm.map(brotliBytes);
    rows.push({ route, files: wasm.length, main, chunks: chunks.reduce((a, b) => a + b, 0) });
  };
  const anonymous = await browser.newContext({ baseURL: info.project.use.baseURL });
  for (const route of PUBLIC) await measure(anonymous.request, route);
  const patientPage = await (await browser.newContext({ baseURL: info.project.use.baseURL })).newPage();
  await signInRequest(patientPage, patient);
  // The demo's conversations are about Emma's Riverside record.
  await patientPage.getByLabel("Viewing").selectOption({ label: "Emma Carter · Riverside Family Medicine" });
  await patientPage.getByRole("button", { name: "Switch" }).click();
  await expect(patientPage.locator(".record-current, #record-switch")).toBeVisible();
  await expect.poll(async () => (await html(patientPage.request, "/messages")).includes("Refill for lisinopril")).toBe(true);
  for (const route of await patientRoutes(patientPage.request)) await measure(patientPage.request, route);
  const staffPage = await (await browser.newContext({ baseURL: info.project.use.baseURL })).newPage();
  await signInAsStaff(staffPage, info, admin);
  for (const route of await staffRoutes(staffPage.request)) await measure(staffPage.request, route);

  console.log("route | WASM files | main (brotli) | route chunks (brotli) | first page");
  for (const r of rows) console.log(`${r.route} | ${r.files} | ${r.main} | ${r.chunks} | ${r.main + r.chunks}`);
  fs.writeFileSync(path.resolve(__dirname, "../../target/wasm-per-route.json"), JSON.stringify(rows, null, 1));
  for (const r of rows) {
    expect(r.main, "the main module, brotli").toBeLessThanOrEqual(MAIN_MODULE_BROTLI);
    expect(r.main + r.chunks, `${r.route}: first-page WASM, brotli`).toBeLessThanOrEqual(FIRST_PAGE_BROTLI);
    expect(r.chunks, `${r.route}: its own chunks, brotli`).toBeLessThanOrEqual(ROUTE_CHUNKS_BROTLI);
  }
});

test("hashed assets are precompressed and immutable; pages are never stored", async ({ request }, info) => {
  test.skip(!jsEnabled(info), "headers do not depend on the browser's JavaScript");
  const page = await request.get("/login");
  expect(page.headers()["cache-control"]).toBe("no-store");
  const [main] = pageWasm(await page.text());
  expect(main).toMatch(/\/pkg\/portico\.[A-Za-z0-9_-]{22}\.wasm$/);
  const wasm = await request.get(main, { headers: { "accept-encoding": "br, gzip" } });
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()["content-encoding"]).toBe("br");
  expect(wasm.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect(Number(wasm.headers()["content-length"])).toBe(brotliBytes(main));
  const css = /href="(\/pkg\/portico\.[A-Za-z0-9_-]{22}\.css)"/.exec(await (await request.get("/login")).text())?.[1];
  expect(css).toBeTruthy();
  const gz = await request.get(css!, { headers: { "accept-encoding": "gzip" } });
  expect(gz.headers()["content-encoding"]).toBe("gzip");
  expect(gz.headers()["cache-control"]).toContain("immutable");
});

test("client-side navigation fetches a route's chunk only when it is needed", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "without JavaScript every page is a full page load");
  const wasm: string[] = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname); });
  await signInAsPatient(page, info);
  await page.goto("/appointments");
  await ready(page, info);
  await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
  const before = new Set(wasm);
  await page.getByRole("navigation").getByRole("link", { name: "Account" }).first().click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Account", exact: false }).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  const fetched = wasm.filter((w) => !before.has(w));
  expect(fetched.length, "the account page's chunk, fetched on navigation").toBeGreaterThan(0);
  // Back again: that chunk is already here, and the page still works.
  await page.goBack();
  await expect(page.getByRole("heading", { name: "Appointments" })).toBeVisible();
});

test("a chunk that cannot be downloaded shows a reload message, and reloading works", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "without JavaScript there are no chunks");
  await signInAsPatient(page, info);
  await page.goto("/appointments");
  await ready(page, info);
  const main = pageWasm(await page.content())[0];
  await page.route(/\.wasm$/, (route) =>
    new URL(route.request().url()).pathname === main ? route.continue() : route.abort("internetdisconnected"));
  await page.getByRole("navigation").getByRole("link", { name: "Account" }).first().click();
  const banner = page.getByRole("alert").filter({ hasText: "could not finish loading" });
  await expect(banner).toBeVisible();
  await page.unroute(/\.wasm$/);
  await banner.getByRole("link", { name: "Reload the page" }).click();
  // The server renders the whole page again, and the app hydrates it.
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole("heading").first()).toBeVisible();
});

test("a link clicked while the page is still loading its code is followed", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "without JavaScript every link is a page load");
  await signInAsPatient(page, info);
  // The opened route's chunks are held back until the router (in the main module) is up, then
  // let through just before or just after the click: whenever it lands, it is followed.
  for (const lag of [-50, -20, 0, 20, 50, 100]) {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\.(wasm|bin)$/, async (route) => {
      if (!/\/portico\.[^/]+\.wasm$/.test(route.request().url())) await held;
      await route.continue();
    });
    const main = page.waitForResponse(/\/portico\.[^/]+\.wasm$/);
    await page.goto("/appointments", { waitUntil: "domcontentloaded" });
    await (await main).finished();
    await page.waitForTimeout(300);
    await expect(page.locator("html[data-hydrated]")).toHaveCount(0);
    const account = page.getByRole("navigation").getByRole("link", { name: "Account" }).first();
    if (lag >= 0) {
      release();
      await page.waitForTimeout(lag);
      await account.click();
    } else {
      const click = account.click();
      await page.waitForTimeout(-lag);
      release();
      await click;
    }
    await expect(page, `lag ${lag}`).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { name: "Account", exact: false }).first()).toBeVisible();
    await expect(page.locator("html[data-hydrated]"), `lag ${lag}`).toHaveCount(1);
    await expect(page.getByRole("alert").filter({ hasText: "could not finish loading" })).toHaveCount(0);
    await page.unroute(/\.(wasm|bin)$/);
  }
});

test("the page paints before its code downloads, then hydrates", async ({ page, request }, info) => {
  test.skip(!jsEnabled(info), "without JavaScript there is no code to download");
  // No preload in the head: on a slow phone it would share the connection with the
  // stylesheet the first paint waits for.
  const head = /<head>[\s\S]*<\/head>/.exec(await html(request, "/login"))?.[0] ?? "";
  expect(head).toContain('name="portico-app"');
  expect(head).not.toMatch(/<link[^>]*rel="(?:module)?preload"/);
  await page.goto("/login");
  await ready(page, info);
  const timing = await page.evaluate(() => ({
    paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
    css: (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((r) => /\/pkg\/[^/]+\.css$/.test(r.name))
      .map((r) => r.responseEnd)[0] ?? Infinity,
    code: performance.getEntriesByType("resource")
      .filter((r) => /\/pkg\/[^/]+\.(?:wasm|bin|js)$/.test(r.name))
      .map((r) => r.startTime),
  }));
  expect(timing.paint, "the browser reports its first contentful paint").toBeGreaterThan(0);
  expect(timing.code.length, "the main module and its glue").toBeGreaterThanOrEqual(2);
  // A preload from the head would start at about the time the stylesheet does, well before.
  for (const start of timing.code) expect(start).toBeGreaterThanOrEqual(timing.paint!);
  expect(Math.min(...timing.code)).toBeGreaterThan(timing.css);
});
