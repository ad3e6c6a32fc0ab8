import { expect, test } from "./fixtures";
import {
  approveInQueue,
  bookWithPatel,
  jsEnabled,
  ready,
  signInAsPatient,
  staffPage,
} from "./helpers";

const tag = (info: { project: { name: string } }, what: string) => `${what} (${info.project.name})`;

test("book, then the office confirms", async ({ page, browser }, info) => {
  await signInAsPatient(page, info);
  const reason = tag(info, "Knee pain");
  const url = await bookWithPatel(page, info, 3, reason);
  await expect(page.locator(".appointment-card .badge")).toHaveText("Pending");
  const staff = await staffPage(browser, info);
  await approveInQueue(staff, info, reason);
  await page.goto(url);
  await expect(page.locator(".appointment-card .badge")).toHaveText("Confirmed");
  await expect(page.getByText("Confirmed the appointment")).toBeVisible();
});

test("cancel a pending request", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await bookWithPatel(page, info, 4, tag(info, "Sore throat"));
  await ready(page, info);
  await page.getByRole("link", { name: "Cancel", exact: true }).click();
  if (jsEnabled(info)) {
    await expect(page.getByRole("dialog", { name: "Cancel this appointment request?" })).toBeVisible();
  } else {
    await expect(page.getByRole("heading", { name: "Cancel this appointment request?" })).toBeVisible();
  }
  await expect(page.getByRole("link", { name: "Keep Appointment" }).or(page.getByRole("button", { name: "Keep Appointment" }))).toBeVisible();
  await page.getByRole("button", { name: "Cancel Appointment" }).click();
  await expect(page.getByText("Your appointment is canceled.")).toBeVisible();
  await expect(page.locator(".appointment-card .badge")).toHaveText("Canceled");
});

test("request a cancellation with Other; the office approves; it shows under Canceled", async ({ page, browser }, info) => {
  await signInAsPatient(page, info);
  const reason = tag(info, "Eye exam");
  const url = await bookWithPatel(page, info, 5, reason);
  const staff = await staffPage(browser, info);
  await approveInQueue(staff, info, reason);
  await page.goto(url);
  await page.getByRole("link", { name: "Cancel appointment" }).click();
  await expect(page.getByText("You are responsible for your original appointment until the office confirms the cancellation.")).toBeVisible();
  await ready(page, info);
  await page.getByLabel("Other", { exact: true }).check();
  const why = tag(info, "Moving to another city");
  await page.getByLabel("If “Other”, tell the office why").fill(why);
  await page.getByRole("button", { name: "Request cancellation" }).click();
  await expect(page.getByText("Your cancellation request was sent.")).toBeVisible();
  await expect(page.locator(".appointment-card .badge")).toHaveText("Cancellation requested");
  await approveInQueue(staff, info, reason);
  // The list shows the selected record: switch to Emma's Riverside record.
  await page.goto("/appointments?filter=canceled");
  await ready(page, info);
  await page.getByLabel("Viewing").selectOption({ label: "Emma Carter · Riverside Family Medicine" });
  await page.getByRole("button", { name: "Switch" }).click();
  // The list follows the switch (with JavaScript in place, without it after the redirect).
  await expect(page.getByTestId("appointment").filter({ has: page.locator(`a[href="${url}"]`) })).toBeVisible();
});

test("request a reschedule; the office approves", async ({ page, browser }, info) => {
  await signInAsPatient(page, info);
  const reason = tag(info, "Back pain");
  const url = await bookWithPatel(page, info, 6, reason);
  const staff = await staffPage(browser, info);
  await approveInQueue(staff, info, reason);
  await page.goto(`${url}/reschedule`);
  await page.getByTestId("next-week").click();
  await page.locator("a.slot").nth(2).click();
  const newTime = (await page.getByTestId("new-time").textContent()) ?? "";
  await ready(page, info);
  await page.getByRole("button", { name: "Confirm new time" }).click();
  await expect(page.getByText("Your request for a new time was sent.")).toBeVisible();
  await expect(page.locator(".appointment-card .badge")).toHaveText("Reschedule requested");
  await approveInQueue(staff, info, reason);
  await page.goto(url);
  await expect(page.getByTestId("appointment-when")).toHaveText(newTime);
  await expect(page.locator(".appointment-card .badge")).toHaveText("Confirmed");
});

test("the office proposes a new time; the patient accepts", async ({ page, browser }, info) => {
  await signInAsPatient(page, info);
  const reason = tag(info, "Headaches");
  const url = await bookWithPatel(page, info, 7, reason);
  const staff = await staffPage(browser, info);
  await approveInQueue(staff, info, reason);
  await staff.goto(`/staff${url}`);
  await ready(staff, info);
  const select = staff.getByLabel(/New time/);
  const option = select.locator("option").nth(jsEnabled(info) ? 4 : 12);
  const proposed = (await option.textContent()) ?? "";
  await select.selectOption({ index: jsEnabled(info) ? 4 : 12 });
  await staff.getByLabel("Reason").fill("Provider unavailable");
  await staff.getByLabel("Note to the patient").fill("Dr. Patel is away that day.");
  await staff.getByRole("button", { name: "Propose new time" }).click();
  await expect(staff.locator(".badge").first()).toHaveText("Tentative");
  await page.goto(url);
  await expect(page.getByTestId("proposed-when")).toHaveText(proposed);
  await expect(page.getByText("Dr. Patel is away that day.").first()).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Accept new time" }).click();
  await expect(page.getByText("You accepted the new time.")).toBeVisible();
  await expect(page.getByTestId("appointment-when")).toHaveText(proposed);
  await expect(page.locator(".appointment-card .badge")).toHaveText("Confirmed");
});

test("inside the window the fee notice shows before confirming", async ({ page }, info) => {
  await signInAsPatient(page, info);
  // Emma's Harbor record is selected first; its soonest visit is about 20 hours away.
  await page.goto("/appointments");
  await page.getByTestId("appointment").filter({ hasText: "Dr. Daniel Kim" }).first().locator("a.appointment-link").click();
  await page.getByRole("link", { name: "Cancel appointment" }).click();
  await expect(page.getByText("Charges may apply.")).toBeVisible();
  await expect(page.getByText("$50.00")).toBeVisible();
  await expect(page.getByRole("button", { name: "Request cancellation" })).toBeVisible();
});

test("add to calendar downloads an .ics in the practice's zone", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await page.goto("/appointments");
  await page.getByTestId("appointment").first().locator("a.appointment-link").click();
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Add to calendar" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^appointment-\d+\.ics$/);
  const text = await (await file.createReadStream()).toArray();
  const body = Buffer.concat(text as Buffer[]).toString("utf8");
  expect(body).toContain("DTSTART;TZID=America/Los_Angeles:");
  expect(body).toContain("BEGIN:VTIMEZONE");
});

test("times show in the practice's zone whatever the server's and browser's zones", async ({ page }, info) => {
  // The server runs in Asia/Kolkata and the browser in Australia/Lord_Howe (playwright.config.ts).
  await signInAsPatient(page, info);
  await page.goto("/appointments");
  await ready(page, info);
  await page.getByLabel("Viewing").selectOption({ label: "Emma Carter · Riverside Family Medicine" });
  await page.getByRole("button", { name: "Switch" }).click();
  // Dr. Patel's demo visits are at 9:00 AM New York time, before and after hydration.
  const nine = page.getByTestId("appointment").filter({ hasText: /9:00 AM E[SD]T/ }).filter({ hasText: "Dr. Maya Patel" });
  await expect(nine.first()).toBeVisible();
  await ready(page, info);
  await expect(nine.first()).toBeVisible();
  if (jsEnabled(info)) {
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe("Australia/Lord_Howe");
  }
});
