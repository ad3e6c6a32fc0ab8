import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
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
  for (const path of ["/login", "/staff/login", "/forgot-password"]) {
    await page.goto(path);
    await ready(page, info);
    await expectNoViolations(page);
  }
});

test("patient pages have no accessibility violations", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await ready(page, info);
  await expectNoViolations(page);
  await page.goto("/appointments");
  await ready(page, info);
  await expectNoViolations(page);
});

test("staff pages have no accessibility violations", async ({ page }, info) => {
  await signInAsStaff(page, info);
  await ready(page, info);
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
  await page.goto("/staff/login");
  await ready(page, info);
  expect(errors).toEqual([]);
});
