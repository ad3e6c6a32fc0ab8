import { expect, test } from "./fixtures";
import { admin, patient, ready, signInAsPatient, signInAsStaff, submitSignIn } from "./helpers";

test("a patient signs in and out", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation", { name: "Portal" })).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText("You have signed out.")).toBeVisible();
  // The session is gone: the home page now asks to sign in.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=\/$/);
});

test("a staff member signs in with a second factor, and out", async ({ page }, info) => {
  // Its own session (signing out ends it), through the password and the code page.
  await signInAsStaff(page, info, admin, true);
  await expect(page.getByRole("heading", { name: "Good to see you, Priya Shah" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Staff" })).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/staff\/login\?signed_out=1$/);
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/staff\/login\?next=\/staff$/);
});

test("a wrong password and an unknown user get the same message", async ({ page }, info) => {
  for (const username of [patient.username, `nobody-${info.project.name}`]) {
    await page.goto("/login");
    await ready(page, info);
    await submitSignIn(page, username, "Not-the-password1");
    await expect(page.getByRole("alert")).toHaveText("Username or password is incorrect");
    await expect(page).toHaveURL(/\/login/);
  }
});

test("repeated failures are slowed down with a clear message", async ({ page }, info) => {
  const username = `throttled-${info.project.name}`;
  for (let i = 0; i < 5; i++) {
    await page.goto("/login");
    await ready(page, info);
    await submitSignIn(page, username, `Wrong-${i}`);
    await expect(page.getByRole("alert")).toHaveText("Username or password is incorrect");
  }
  await page.goto("/login");
  await ready(page, info);
  await submitSignIn(page, username, "Wrong-again");
  await expect(page.getByRole("alert")).toContainText("Too many unsuccessful sign-in attempts");
});

test("staff sign-in does not accept a patient's credentials", async ({ page }, info) => {
  await page.goto("/staff/login");
  await ready(page, info);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page.getByRole("alert")).toHaveText("Username or password is incorrect");
  await expect(page).toHaveURL(/\/staff\/login/);
});

test("staff accounts cannot use the patient sign-in", async ({ page }, info) => {
  await page.goto("/login");
  await ready(page, info);
  await submitSignIn(page, admin.username, admin.password);
  await expect(page.getByRole("alert")).toHaveText("Username or password is incorrect");
});
