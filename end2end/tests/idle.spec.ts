import { expect, test } from "./fixtures";
import { jsEnabled, patient, ready, submitSignIn } from "./helpers";

// A second server whose sessions idle out after 62 seconds (see playwright.config.ts), so the
// warning shows two seconds after the last activity.
const idleServer = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1}`;

test.beforeEach(async ({}, info) => {
  test.skip(!jsEnabled(info), "the warning is a browser timer; without JavaScript the server alone ends the session");
});

test("the idle warning offers to stay signed in, then signs out", async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.goto(`${idleServer}/login`);
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page.getByRole("heading", { name: "Welcome, Emma" })).toBeVisible();

  const dialog = page.getByRole("alertdialog", { name: "Are you still there?" });
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await dialog.getByRole("button", { name: "Stay signed in" }).click();
  await expect(dialog).toBeHidden();

  // Ignored, the warning comes back and the session ends.
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(page).toHaveURL(/\/login\?reason=idle$/, { timeout: 75_000 });
  await expect(page.getByText("You were signed out because you were inactive")).toBeVisible();
  await page.goto(`${idleServer}/`);
  await expect(page).toHaveURL(/\/login\?next=\/$/);
});
