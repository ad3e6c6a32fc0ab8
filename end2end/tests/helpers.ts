import { expect, type Page, type TestInfo } from "@playwright/test";

export const patient = { username: "demo", password: "Portico-demo1" };
export const admin = { username: "admin", password: "Portico-admin1" };
export const frontDesk = { username: "frontdesk", password: "Portico-desk1" };

export const jsEnabled = (info: TestInfo) => info.project.name === "js";

/** Fill and submit a sign-in form already on screen. */
export async function submitSignIn(page: Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Wait until a hydrated page is interactive (no-op without JavaScript). */
export async function ready(page: Page, info: TestInfo) {
  if (jsEnabled(info)) {
    await page.waitForLoadState("networkidle");
  }
}

export async function signInAsPatient(page: Page, info: TestInfo) {
  await page.goto("/login");
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page.getByRole("heading", { name: "Welcome, Emma" })).toBeVisible();
}

export async function signInAsStaff(page: Page, info: TestInfo, who = admin) {
  await page.goto("/staff/login");
  await ready(page, info);
  await submitSignIn(page, who.username, who.password);
  await expect(page).toHaveURL(/\/staff$/);
}
