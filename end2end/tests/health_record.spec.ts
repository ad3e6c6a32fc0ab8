import { expect, test, type APIRequestContext, type Page } from "./fixtures";
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
  await expect(page.getByTestId("lab").filter({ hasText: "Potassium" }).locator(".badge", { hasText: "Corrected" })).toBeVisible();
  await expect(page.getByTestId("vital").filter({ hasText: "Body weight" }).locator("svg polyline")).toHaveCount(1);
  await expect(page.getByText("XR Chest 2 Views")).toBeVisible();
  // Never: the chart note, nor a result the practice has not shared.
  await expect(page.getByText("Confidential chart note")).toHaveCount(0);
  await expect(page.getByText("25-Hydroxyvitamin", { exact: false })).toHaveCount(0);

  await page.goto("/health-record");
  await ready(page, info);
  await page.getByLabel("From", { exact: true }).fill("2025-03-10");
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
  const [title, test_, value] = jsEnabled(info)
    ? ["Thyroid stimulating hormone panel", "Thyrotropin", "3.9 m[IU]/L"]
    : ["Vitamin D panel", "25-Hydroxyvitamin", "24 ng/mL"];
  const staff = await staffPage(browser, info);
  await staff.goto("/staff/patients?q=Carter");
  await ready(staff, info);
  await staff.getByRole("link", { name: "Carter, Emma" }).first().click();
  await staff.getByRole("link", { name: "Health record and results" }).click();
  const row = staff.getByTestId("chart-result").filter({ hasText: title });
  await ready(staff, info);
  await row.getByRole("button", { name: "Share with patient" }).click();
  await expect(row).toContainText("Shared by Priya Shah on");

  await signInAsPatient(page, info);
  await chooseRecord(page, riverside);
  await page.goto("/health-record");
  await expect(page.getByTestId("lab").filter({ hasText: test_ }).locator(".lab-value")).toContainText(value);
});

type Message = { to: string; subject: string; body: string };

async function mailTo(request: APIRequestContext, to: string): Promise<Message> {
  let found: Message | undefined;
  await expect
    .poll(async () => {
      const list: Message[] = await (await request.get(`/dev/outbox.json?to=${encodeURIComponent(to)}`)).json();
      found = list[0];
      return Boolean(found);
    })
    .toBeTruthy();
  return found!;
}

test("a patient downloads each format, sends the record both ways, and sees it all in the activity log", async ({ page, browser }, info) => {
  test.setTimeout(90_000);
  await signInAsPatient(page, info);
  await chooseRecord(page, riverside);
  await page.goto("/health-record?from=2025-03-10");
  await expect(page.getByText("A download is a copy of your record on this device.")).toBeVisible();
  // The PDF and the FHIR file are real downloads; the printable page opens as a page.
  for (const [name, file] of [["PDF", /\.pdf$/], ["FHIR R4 (JSON, for apps and other providers)", /\.json$/]] as const) {
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name }).click();
    expect((await download).suggestedFilename()).toMatch(file);
  }
  const printable = await page.request.get("/health-record/download/print?from=2025-03-10");
  expect(printable.ok()).toBeTruthy();
  expect(await printable.text()).toContain("On Mar 10, 2025");

  // Secure: the code is shown to the patient, never emailed.
  const doctor = `dr.${info.project.name}@clinic.example`;
  await page.getByRole("link", { name: "Send to an email address" }).click();
  await expect(page.getByRole("heading", { name: "Send your health record" })).toBeVisible();
  await ready(page, info);
  await page.getByLabel("Their email address").fill(doctor);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Your record is on its way" })).toBeVisible();
  const code = (await page.getByTestId("send-code").textContent())!.trim();
  expect(code).toMatch(/^\d{6}$/);
  const mail = await mailTo(page.request, doctor);
  expect(mail.body).not.toContain(code);
  const path = mail.body.match(/(\/shared-record\/[0-9a-f]+)/)![1];
  const recipient = await (await browser.newContext({ baseURL: info.project.use.baseURL, javaScriptEnabled: jsEnabled(info) })).newPage();
  await recipient.goto(path);
  await recipient.getByLabel("Code").fill(code);
  await recipient.getByRole("button", { name: "Open" }).click();
  await expect(recipient.getByRole("heading", { name: "Health record summary: Emma Carter" })).toBeVisible();
  await expect(recipient.getByText("Confidential chart note")).toHaveCount(0);
  await recipient.goto(path);
  await expect(recipient.getByText("This link has expired, was already used")).toBeVisible();

  // Plain: refused until "send anyway" is ticked.
  const self = `emma.${info.project.name}@home.example`;
  await page.goto("/health-record/send");
  await ready(page, info);
  await page.getByLabel("Their email address").fill(self);
  await page.getByLabel(/Plain email with the summary attached/).check();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Plain email can be read by others on its way. Tick")).toBeVisible();
  await page.getByLabel("Their email address").fill(self);
  await page.getByLabel(/Plain email with the summary attached/).check();
  await page.getByLabel(/Send anyway/).check();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText(`Plain email sent to ${self}`)).toBeVisible();

  await page.goto("/activity?kind=health_record");
  const rows = page.getByTestId("activity");
  await expect(rows.filter({ hasText: `Sent the health record: Plain email to ${self}` })).toHaveCount(1);
  await expect(rows.filter({ hasText: `Sent the health record: Secure link to ${doctor} · On Mar 10, 2025` })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Downloaded the health record: PDF · On Mar 10, 2025" }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "Opened a secure link" }).first()).toBeVisible();
  const csv = await page.request.get("/activity.csv?kind=health_record");
  expect(await csv.text()).toContain(`Secure link to ${doctor}`);
});

test("staff record a problem on the chart page and the patient sees it", async ({ page, browser }, info) => {
  const problem = `Tennis elbow (${info.project.name})`;
  const staff = await staffPage(browser, info);
  await staff.goto("/staff/patients?q=Carter");
  await ready(staff, info);
  await staff.getByRole("link", { name: "Carter, Emma" }).first().click();
  await staff.getByRole("link", { name: "Health record and results" }).click();
  await expect(staff.getByRole("heading", { name: "Emma Carter: health record" })).toBeVisible();
  await ready(staff, info);
  await staff.getByText("Add a problem").click();
  await staff.locator("#problem-name").fill(problem);
  await staff.locator("#problem-date").fill("2026-01-15");
  await staff.locator("details").filter({ hasText: "Add a problem" }).getByRole("button", { name: "Save" }).click();
  await expect(staff.getByTestId("chart-entry").filter({ hasText: problem })).toContainText("Entered in Portico");

  await signInAsPatient(page, info);
  await chooseRecord(page, riverside);
  await page.goto("/health-record");
  await expect(page.getByText(problem)).toBeVisible();
});
