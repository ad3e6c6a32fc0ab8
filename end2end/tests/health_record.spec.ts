import { expect, test, type Page } from "@playwright/test";
import { jsEnabled, ready, signInAsPatient, staffPage } from "./helpers";

const riverside = "Emma Carter · Riverside Family Medicine";

async function chooseRecord(page: Page, label: string) {
  const info = test.info();
  await ready(page, info);
  await page.getByLabel("Viewing").selectOption({ label });
  const switched = jsEnabled(info)
    ? page.waitForResponse((r) => r.url().endsWith("/api/records/select") && r.ok())
    : Promise.resolve();
  await page.getByRole("button", { name: "Switch" }).click();
  await switched;
  await expect(page.locator("#record-switch option:checked")).toHaveText(label);
}

test("a patient reads every section of the record and filters it by date", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await chooseRecord(page, riverside);
  // Reached from the navigation (client-side with JavaScript), then opened directly below.
  await page.getByRole("navigation").getByRole("link", { name: "Health record" }).first().click();
  await expect(page.getByRole("heading", { name: "Health record", level: 1 })).toBeVisible();
  for (const h of ["Problems", "Medications", "Allergies", "Immunizations", "Procedures", "Care plans", "Vitals", "Lab results", "Imaging reports"]) {
    await expect(page.getByRole("heading", { name: h, level: 2 })).toBeVisible();
  }
  await expect(page.getByText("Essential hypertension")).toBeVisible();
  await expect(page.getByText("lisinopril 10 MG Oral Tablet")).toBeVisible();
  const a1c = page.getByTestId("lab").filter({ hasText: "Hemoglobin A1c" });
  await expect(a1c.locator(".lab-value")).toContainText("6.1%");
  await expect(a1c.getByTestId("flag").first()).toHaveText("High");
  await expect(a1c.getByRole("table")).toContainText("5.4%");
  await expect(page.getByTestId("lab").filter({ hasText: "Potassium" }).getByText("Corrected", { exact: true })).toBeVisible();
  await expect(page.getByTestId("vital").filter({ hasText: "Body weight" }).locator("svg polyline")).toHaveCount(1);
  await expect(page.getByText("XR Chest 2 Views")).toBeVisible();
  // Never: the chart note, nor a result the practice has not shared.
  await expect(page.getByText("Confidential chart note")).toHaveCount(0);
  await expect(page.getByText("25-Hydroxyvitamin", { exact: false })).toHaveCount(0);

  await page.goto("/health-record");
  await ready(page, info);
  await page.getByLabel("From").fill("2025-03-10");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("filter-label")).toHaveText("Showing: On Mar 10, 2025");
  await expect(page).toHaveURL(/from=2025-03-10/);
  await expect(a1c.getByRole("table")).toHaveCount(0);
  await expect(page.getByText("No problems are recorded.")).toBeVisible();
  await page.getByRole("link", { name: "Show everything" }).click();
  await expect(page.getByTestId("filter-label")).toHaveCount(0);
  await expect(page.getByText("Essential hypertension")).toBeVisible();
});

test("a representative sees Lily's record", async ({ page }, info) => {
  await signInAsPatient(page, info);
  await chooseRecord(page, "Lily Carter (you represent) · Harbor Pediatrics & Internal Medicine");
  await page.goto("/health-record");
  await expect(page.getByText("Lily Carter, born Sep 3, 2017")).toBeVisible();
  await expect(page.getByText("Asthma")).toBeVisible();
  await expect(page.getByTestId("lab").filter({ hasText: "Hemoglobin" }).getByTestId("flag")).toHaveText("Low");
  await expect(page.getByText("mild anemia")).toHaveCount(0);
});

test("the practice shares a lab result and the patient sees it", async ({ page, browser }, info) => {
  // Each project shares its own demo result: both run on one database.
  const [title, value] = jsEnabled(info)
    ? ["Thyroid stimulating hormone panel", "3.9 m[IU]/L"]
    : ["Vitamin D panel", "24 ng/mL"];
  const staff = await staffPage(browser, info);
  await staff.goto("/staff/patients?q=Carter");
  await ready(staff, info);
  await staff.getByRole("link", { name: /Emma Carter/ }).first().click();
  const row = staff.getByTestId("chart-result").filter({ hasText: title });
  await ready(staff, info);
  await row.getByRole("button", { name: "Share with patient" }).click();
  await expect(row).toContainText("Shared by Priya Shah on");

  await signInAsPatient(page, info);
  await chooseRecord(page, riverside);
  await page.goto("/health-record");
  await expect(page.getByTestId("lab").filter({ hasText: value.split(" ")[0] }).locator(".lab-value")).toContainText(value);
});
