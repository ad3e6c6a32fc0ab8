import { expect, test } from "./fixtures";
import { admin, frontDesk, patient, ready, signInAsPatient, signInAsStaff, submitSignIn } from "./helpers";

test("a patient page redirects to sign-in, then back", async ({ page }, info) => {
  await page.goto("/appointments");
  await expect(page).toHaveURL(/\/login\?next=\/appointments$/);
  await expect(page.getByText("Please sign in to continue.")).toBeVisible();
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page).toHaveURL(/\/appointments$/);
  await expect(page.getByRole("heading", { name: "Appointments" })).toBeVisible();
});

test("a staff page redirects to staff sign-in, then back", async ({ page }, info) => {
  await page.goto("/staff/patients");
  await expect(page).toHaveURL(/\/staff\/login\?next=\/staff\/patients$/);
  await ready(page, info);
  await submitSignIn(page, frontDesk.username, frontDesk.password);
  await expect(page).toHaveURL(/\/staff\/patients$/);
  await expect(page.getByRole("heading", { name: "Patients" })).toBeVisible();
});

test("a patient on a staff page is sent to staff sign-in", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await page.goto("/staff/requests");
  await expect(page).toHaveURL(/\/staff\/login\?next=\/staff\/requests$/);
  await expect(page.getByText("Please sign in with your staff account to continue.")).toBeVisible();
});

test("staff on a patient page are sent to patient sign-in", async ({ page }, info) => {
  await signInAsStaff(page, info, admin);
  await page.goto("/health-record");
  await expect(page).toHaveURL(/\/login\?next=\/health-record$/);
});

test("a tampered session cookie is treated as signed out", async ({ page, context }, info) => {
  await signInAsPatient(page, info);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "portico_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  await context.addCookies([{ ...session!, value: "f".repeat(64) }]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=\/$/);
});

test("the sign-in page cannot be used to redirect elsewhere", async ({ page }, info) => {
  await page.goto("/login?next=https://example.org/");
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
});
