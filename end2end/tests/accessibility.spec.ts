import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import { jsEnabled, ready, signInAsPatient, signInAsStaff } from "./helpers";

// axe runs as a script in the page, so these checks need the JavaScript project.
test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "axe-core needs JavaScript");
});

async function expectNoViolations(page: import("@playwright/test").Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

test("sign-in pages have no accessibility violations", async ({ page }, info) => {
  const dead = "0".repeat(64);
  for (const path of ["/login", "/staff/login", "/forgot-password", "/forgot-username", `/enroll/${dead}`, `/reset-password/${dead}`, `/staff/set-password/${dead}`, "/staff/login/code"]) {
    await page.goto(path);
    await ready(page, info);
    await expectNoViolations(page);
  }
});

test("patient pages have no accessibility violations", async ({ page }, info) => {
  // Eleven pages, each checked by axe, on a two-core machine shared with the other worker.
  test.setTimeout(90_000);
  await signInAsPatient(page, info);
  await ready(page, info);
  await expectNoViolations(page);
  for (const path of ["/appointments", "/appointments?filter=past", "/appointments/book", "/appointments/book/1", "/account"]) {
    await page.goto(path);
    await ready(page, info);
    await expectNoViolations(page);
  }
  // An appointment's details, its cancellation form and the new-time picker.
  await page.goto("/appointments");
  await page.getByTestId("appointment").first().locator("a.appointment-link").click();
  await ready(page, info);
  await expectNoViolations(page);
  const detail = new URL(page.url()).pathname;
  for (const path of [`${detail}/cancel`, `${detail}/reschedule`]) {
    await page.goto(path);
    await ready(page, info);
    await expectNoViolations(page);
  }
});

test("staff pages have no accessibility violations", async ({ page }, info) => {
  test.setTimeout(150_000);
  await signInAsStaff(page, info);
  await ready(page, info);
  await expectNoViolations(page);
  for (const path of ["/staff/requests", "/staff/schedule", "/staff/schedule?view=week", "/staff/schedule/hours?provider=1", "/staff/settings", "/staff/patients", "/staff", "/staff/audit", "/staff/settings/staff", "/staff/settings/account"]) {
    await page.goto(path);
    await ready(page, info);
    await expectNoViolations(page);
  }
  await page.goto("/staff/requests");
  await page.getByRole("link", { name: "Decline or propose…" }).first().click();
  await ready(page, info);
  await expectNoViolations(page);
  // A chart with a pending invitation: the portal-access panel with its PIN.
  await page.goto("/staff/patients?q=Nguyen");
  await page.getByRole("link", { name: "Nguyen, Sophia" }).click();
  await ready(page, info);
  await expect(page.getByTestId("pin")).toBeVisible();
  await expectNoViolations(page);
});

test("invitation pages have no accessibility violations", async ({ page, request }, info) => {
  const list: { to: string; body: string }[] = await (await request.get("/dev/outbox.json?to=sophia.nguyen%40example.com")).json();
  const link = list.map((m) => m.body.match(/\/enroll\/[0-9a-f]+/)?.[0]).find(Boolean)!;
  await page.goto(link);
  await ready(page, info);
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await expectNoViolations(page);
});

test("hydration produces no console errors", async ({ page }, info) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("status of 4")) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAsPatient(page, info);
  await ready(page, info);
  await page.goto("/appointments");
  await ready(page, info);
  await page.getByTestId("appointment").first().locator("a.appointment-link").click();
  await ready(page, info);
  await page.goto("/appointments/book/1");
  await ready(page, info);
  await page.goto("/staff/login");
  await ready(page, info);
  expect(errors).toEqual([]);
});
