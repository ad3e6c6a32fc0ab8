import { expect, type Browser, type Page, type TestInfo } from "@playwright/test";
import { clockStart } from "./clock";
import { DEMO_TOTP_SECRET, enterCode, reuseSession, saveSession } from "./two_factor";

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
    // Set by the WASM entry point once the page is hydrated.
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  }
}

export async function signInAsPatient(page: Page, info: TestInfo) {
  await page.goto("/login");
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page.getByRole("heading", { name: "Welcome, Emma" })).toBeVisible();
}

export const harbor = { username: "harbor", password: "Portico-harbor1" };
/** Accounts that need a second factor: the demo admins. */
const ADMINS = [admin.username, harbor.username];

/** Staff sign-in, with the authenticator code for the demo admins. Unless `fresh`, an admin
 * reuses a session an earlier journey of this run made (see `reuseSession`). */
export async function signInAsStaff(page: Page, info: TestInfo, who = admin, fresh = false) {
  const needsCode = ADMINS.includes(who.username);
  if (needsCode && !fresh && (await reuseSession(page, info, who.username))) return;
  await page.goto("/staff/login");
  await ready(page, info);
  await submitSignIn(page, who.username, who.password);
  if (needsCode) await enterCode(page, () => ready(page, info), who.username, DEMO_TOTP_SECRET);
  await expect(page).toHaveURL(/\/staff$/);
  if (needsCode && !fresh) await saveSession(page, info, who.username);
}

/** An ISO date `weeks` weeks from today: each journey books in its own week so that
 * journeys running side by side never want the same slot. Without JavaScript the
 * journeys use weeks further out again. */
export function weekFrom(weeks: number, info: TestInfo): string {
  const offset = jsEnabled(info) ? 0 : 20;
  // The servers' clock started at clockStart (the Playwright config gives it to them).
  const d = new Date(Date.parse(clockStart) + (weeks + offset) * 7 * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** Book the first free time with Dr. Patel in the week `weeks` ahead; returns the
 * appointment's address. Leaves the page on the appointment. */
export async function bookWithPatel(page: Page, info: TestInfo, weeks: number, reason: string) {
  await page.goto("/appointments/book?q=patel");
  await page.getByRole("link", { name: "See available times" }).click();
  await expect(page.getByRole("heading", { name: "Choose a time with Dr. Maya Patel" })).toBeVisible();
  await page.goto(`${new URL(page.url()).pathname}?week=${weekFrom(weeks, info)}`);
  await page.locator("a.slot").first().click();
  await expect(page.getByRole("heading", { name: "Request appointment" })).toBeVisible();
  await ready(page, info);
  await page.getByLabel("Reason for the visit").fill(reason);
  await page.getByRole("button", { name: "Request appointment" }).click();
  await expect(page.getByText("Your appointment request was sent.")).toBeVisible();
  await expect(page.getByTestId("appointment-when")).toBeVisible();
  return new URL(page.url()).pathname;
}

/** A second, independent browser session (its own cookies) for the office. */
export async function staffPage(browser: Browser, info: TestInfo, who = admin) {
  const context = await browser.newContext({
    baseURL: info.project.use.baseURL,
    javaScriptEnabled: jsEnabled(info),
  });
  const page = await context.newPage();
  await signInAsStaff(page, info, who);
  return page;
}

/** Approve, in the staff queue, the request whose row mentions `text`. */
export async function approveInQueue(staff: Page, info: TestInfo, text: string) {
  await staff.goto("/staff/requests");
  await ready(staff, info);
  const row = staff.getByTestId("request").filter({ hasText: text });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(staff.getByTestId("request").filter({ hasText: text })).toHaveCount(0);
}
