import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type TestInfo } from "./fixtures";
import { bookWithPatel, jsEnabled, ready, signInAsPatient, staffPage, submitSignIn } from "./helpers";
import { codeFor, enterCode } from "./two_factor";

// Running the practice: staff accounts, the audit log and the home pages. Each journey adds
// its own staff member, so the JavaScript-on and -off runs never share one, and the demo's
// own accounts are never changed.

let counter = 0;
function member(info: TestInfo) {
  const tag = `${info.project.name}${Date.now().toString(36)}${counter++}`;
  return { name: `Nina Brooks ${tag}`, email: `nina.${tag}@riverside.example`, password: "Quiet-harbor7" };
}

type Message = { to: string; subject: string; body: string };

async function setPasswordLink(request: APIRequestContext, to: string): Promise<string> {
  let body = "";
  await expect
    .poll(async () => {
      const list: Message[] = await (await request.get(`/dev/outbox.json?to=${encodeURIComponent(to)}`)).json();
      body = list.find((m) => /staff account/.test(m.subject))?.body ?? "";
      return body;
    })
    .toContain("/staff/set-password/");
  return /(\/staff\/set-password\/[0-9a-f]{64})/.exec(body)![1];
}

async function newContextPage(browser: Browser, info: TestInfo) {
  const context = await browser.newContext({ baseURL: info.project.use.baseURL, javaScriptEnabled: jsEnabled(info) });
  return context.newPage();
}

test("an admin adds a colleague, sees the chart they opened in the audit log, and deactivation signs them out", async ({ browser }, info) => {
  // Three people in three browsers, a dozen pages each.
  test.setTimeout(90_000);
  const admin = await staffPage(browser, info);
  const nina = member(info);

  // Reached from the settings page (client-side with JavaScript).
  await admin.goto("/staff/settings");
  await ready(admin, info);
  await admin.getByRole("link", { name: "Staff accounts" }).click();
  await expect(admin.getByRole("heading", { name: "Staff accounts", level: 1 })).toBeVisible();
  await ready(admin, info);
  await admin.getByLabel("Name", { exact: true }).fill(nina.name);
  await admin.getByLabel("Email (they sign in with it)").fill(nina.email);
  await admin.locator("#role-new").selectOption({ label: "Front desk" });
  await admin.getByRole("button", { name: "Add and send the link" }).click();
  await expect(admin.getByText("Added. We emailed them a link")).toBeVisible();
  const row = admin.locator(`[data-username="${nina.email}"]`);
  await expect(row).toContainText("Waiting for a password");

  // Nina chooses her password through the emailed link, then signs in.
  const page = await newContextPage(browser, info);
  await page.goto(await setPasswordLink(admin.request, nina.email));
  await expect(page.getByTestId("staff-username")).toHaveText(nina.email);
  await ready(page, info);
  await page.getByLabel("New password").fill(nina.password);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page).toHaveURL(/\/staff\/login\?password_set=1/);
  await ready(page, info);
  await submitSignIn(page, nina.email, nina.password);
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole("heading", { name: `Good to see you, ${nina.name}` })).toBeVisible();
  // Front desk staff see neither the audit log in the navigation nor the page.
  await expect(page.getByRole("navigation").getByRole("link", { name: "Audit" })).toHaveCount(0);
  await page.goto("/staff/audit");
  await expect(page.getByText("You do not have access to this page or action.")).toBeVisible();
  // She opens Emma's chart.
  await page.goto("/staff/patients");
  await ready(page, info);
  await page.getByLabel(/Search by name/).fill("Carter");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "Carter, Emma" }).first().click();
  await expect(page.getByRole("heading", { name: /Carter, Emma|Emma Carter/ }).first()).toBeVisible();

  // The admin finds it in the audit log, filtered by staff member.
  await admin.goto("/staff/audit");
  await ready(admin, info);
  await admin.getByLabel("Staff member").selectOption({ label: nina.name });
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin).toHaveURL(/staff=\d+/);
  const opened = admin.getByTestId("audit-row").filter({ hasText: "Opened the chart" }).first();
  await expect(opened).toContainText(`${nina.name} (Front desk)`);
  await expect(opened).toContainText("Carter, Emma");
  const csv = await admin.request.get(`/staff/audit.csv?${new URL(admin.url()).search.slice(1)}`);
  expect(csv.ok()).toBeTruthy();
  expect(await csv.text()).toContain("chart.view");

  // Deactivation ends her session at once.
  await admin.goto("/staff/settings/staff");
  await ready(admin, info);
  await row.locator("summary").click();
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(admin.getByText("Deactivated. Every session of that account has ended")).toBeVisible();
  await expect(row).toContainText("Deactivated");
  await page.goto("/staff/requests");
  await expect(page).toHaveURL(/\/staff\/login/);
  await ready(page, info);
  await submitSignIn(page, nina.email, nina.password);
  await expect(page.getByText("Username or password is incorrect")).toBeVisible();
});

test("a staff member changes their own password and sees their sign-ins", async ({ browser }, info) => {
  test.setTimeout(60_000);
  const admin = await staffPage(browser, info);
  const nina = member(info);
  await admin.goto("/staff/settings/staff");
  await ready(admin, info);
  await admin.getByLabel("Name", { exact: true }).fill(nina.name);
  await admin.getByLabel("Email (they sign in with it)").fill(nina.email);
  await admin.getByRole("button", { name: "Add and send the link" }).click();
  await expect(admin.getByText("Added.")).toBeVisible();
  const page = await newContextPage(browser, info);
  await page.goto(await setPasswordLink(admin.request, nina.email));
  await ready(page, info);
  await page.getByLabel("New password").fill(nina.password);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page).toHaveURL(/password_set=1/);
  await ready(page, info);
  await submitSignIn(page, nina.email, nina.password);
  await expect(page).toHaveURL(/\/staff$/);

  await page.goto("/staff/settings/account");
  await expect(page.getByTestId("sign-in").first()).toContainText("Signed in");
  await ready(page, info);
  await page.getByLabel("Current password").fill(nina.password);
  await page.getByLabel("New password").fill("Brand-new-pass4");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed. Your other sessions have ended.")).toBeVisible();
});

test("the home pages show what needs doing", async ({ browser, page }, info) => {
  const staff = await staffPage(browser, info);
  await expect(staff.getByRole("heading", { name: "Open requests" })).toBeVisible();
  const open = Number(await staff.getByTestId("open-requests").textContent());
  const kinds = await Promise.all(["booking", "cancellation", "reschedule"].map(async (k) => Number(await staff.getByTestId(`requests-${k}`).textContent())));
  expect(kinds.reduce((a, b) => a + b, 0)).toBe(open);
  await expect(staff.getByTestId("unshared-results")).toHaveText(/^\d+$/);
  await expect(staff.getByText("Coming soon")).toHaveCount(0);
  await staff.getByRole("link", { name: "Open requests" }).click();
  // Other journeys book and approve beside this one, so the queue's length is not compared.
  await expect(staff).toHaveURL(/\/staff\/requests/);

  await signInAsPatient(page, info);
  const next = page.getByTestId("next-appointment");
  await expect(next.getByRole("heading", { name: "Your next appointment" })).toBeVisible();
  await next.locator("a.appointment-when").click();
  await expect(page).toHaveURL(/\/appointments\/\d+$/);
});

test("a pending request is cancelled from the list", async ({ page }, info) => {
  await signInAsPatient(page, info);
  const reason = `List cancel ${info.project.name}`;
  await bookWithPatel(page, info, 11, reason);
  const when = (await page.getByTestId("appointment-when").textContent())!.trim();
  // The list shows the selected record's visits; Dr. Patel works at Riverside.
  await page.goto("/appointments?filter=pending");
  await ready(page, info);
  await page.getByLabel("Viewing").selectOption({ label: "Emma Carter · Riverside Family Medicine" });
  const switched = jsEnabled(info)
    ? page.waitForResponse((r) => r.url().endsWith("/api/records/select") && r.ok())
    : Promise.resolve();
  await page.getByRole("button", { name: "Switch" }).click();
  await switched;
  await page.goto("/appointments?filter=pending");
  await ready(page, info);
  await page.getByRole("link", { name: `Cancel ${when}` }).click();
  await expect(page.getByRole("heading", { name: "Cancel this appointment request?" })).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Cancel Appointment" }).click();
  await expect(page.getByText(/canceled/i).first()).toBeVisible();
  await page.goto("/appointments?filter=canceled");
  await expect(page.getByTestId("appointment").filter({ hasText: when })).toHaveCount(1);
});

test("a new admin sets up two-factor sign-in from the page, then signs in with a code", async ({ browser }, info) => {
  test.setTimeout(90_000);
  const admin = await staffPage(browser, info);
  const nina = member(info);
  await admin.goto("/staff/settings/staff");
  await ready(admin, info);
  await admin.getByLabel("Name", { exact: true }).fill(nina.name);
  await admin.getByLabel("Email (they sign in with it)").fill(nina.email);
  await admin.locator("#role-new").selectOption({ label: "Practice admin" });
  await admin.getByRole("button", { name: "Add and send the link" }).click();
  await expect(admin.getByText("Added.")).toBeVisible();
  const row = admin.locator(`[data-username="${nina.email}"]`);
  await expect(row.getByTestId("two-factor")).toHaveText("Off");

  const page = await newContextPage(browser, info);
  await page.goto(await setPasswordLink(admin.request, nina.email));
  await ready(page, info);
  await page.getByLabel("New password").fill(nina.password);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page).toHaveURL(/password_set=1/);
  await ready(page, info);
  await submitSignIn(page, nina.email, nina.password);
  // An admin cannot skip the set-up: no staff page before it is done.
  await expect(page).toHaveURL(/\/staff\/login\/set-up$/);
  await expect(page.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
  await expect(page.locator(".qr svg")).toBeVisible();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const recovery = (await page.getByTestId("recovery-codes").locator("li").first().innerText()).trim();
  const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  if (jsEnabled(info)) {
    // axe runs inside the page, so only where the page runs scripts.
    const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  }
  await page.goto("/staff/requests");
  await expect(page).toHaveURL(/\/staff\/login\?next=/);
  await page.goto("/staff/login/set-up");
  // The reload shows the same secret (the app has it already) and new recovery codes.
  await expect(page.getByTestId("totp-secret")).toHaveText(/[A-Z2-7 ]{39}/);
  expect((await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "")).toBe(secret);
  const codes = await page.getByTestId("recovery-codes").locator("li").allInnerTexts();
  expect(codes).not.toContain(recovery);
  await ready(page, info);
  await page.getByLabel("6-digit code").fill("000000");
  await page.getByRole("button", { name: "Turn on and sign in" }).click();
  await expect(page.getByText("That code is not right.")).toBeVisible();
  // Without JavaScript the error comes back as a new load of the page, with a new set of
  // codes: the ones on screen now are the ones that work.
  const kept = await page.getByTestId("recovery-codes").locator("li").allInnerTexts();
  expect(kept).toHaveLength(10);
  await ready(page, info);
  await page.getByLabel("6-digit code").fill(await codeFor(page, nina.email, secret));
  await page.getByRole("button", { name: "Turn on and sign in" }).click();
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole("heading", { name: `Good to see you, ${nina.name}` })).toBeVisible();
  await page.goto("/staff/settings/account");
  await expect(page.getByTestId("two-factor-status")).toContainText("On since");
  await expect(page.getByTestId("two-factor-status")).toContainText("10 unused recovery codes");

  // Next time: the password, then a code (here one of the recovery codes from the page).
  const again = await newContextPage(browser, info);
  await again.goto("/staff/login");
  await ready(again, info);
  await submitSignIn(again, nina.email, nina.password);
  await expect(again).toHaveURL(/\/staff\/login\/code$/);
  await ready(again, info);
  await again.getByLabel("Code").fill(kept[0]);
  await again.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(again).toHaveURL(/\/staff$/);

  // The team page shows it on; a reset (a lost phone) signs her out and asks for a new set-up.
  await admin.goto("/staff/settings/staff");
  await ready(admin, info);
  await expect(row.getByTestId("two-factor")).toHaveText("On");
  await row.locator("summary").click();
  await row.getByRole("button", { name: "Reset two-factor sign-in" }).click();
  await expect(admin.getByText("Two-factor sign-in reset.")).toBeVisible();
  await expect(row.getByTestId("two-factor")).toHaveText("Off");
  await again.goto("/staff/requests");
  await expect(again).toHaveURL(/\/staff\/login/);
  await ready(again, info);
  await submitSignIn(again, nina.email, nina.password);
  await expect(again).toHaveURL(/\/staff\/login\/set-up$/);
});

test("a wrong code keeps the sign-in on the code page", async ({ page }, info) => {
  await page.goto("/staff/login?next=/staff/schedule");
  await ready(page, info);
  await submitSignIn(page, "harbor", "Portico-harbor1");
  await expect(page).toHaveURL(/\/staff\/login\/code$/);
  await ready(page, info);
  await page.getByLabel("Code").fill("12345");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page.getByText("That code is not right.")).toBeVisible();
  await expect(page).toHaveURL(/\/staff\/login\/code/);
  await enterCode(page, () => ready(page, info), "harbor", "JBSWY3DPEHPK3PXP");
  // Where the sign-in was headed.
  await expect(page).toHaveURL(/\/staff\/schedule$/);
});
