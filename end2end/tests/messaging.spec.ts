import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page, type TestInfo } from "./fixtures";
import { admin, harbor, jsEnabled, patient, signInAsStaff, submitSignIn } from "./helpers";
import { exclusively } from "./lock";

// Messaging journeys, with JavaScript (live: nothing is reloaded) and without (plain forms and
// "Check for new messages"). An open messaging page holds a live connection, so the network is
// never idle: pages say they are live with data-live="on" instead.

const tag = (info: TestInfo, what: string) => `${what} (${info.project.name})`;
const idleServer = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3100) + 1}`;
/** The promise: the other side sees a change within three seconds. */
const LIVE_MS = 3_000;

/** With JavaScript, wait until the page's live channel is open (the conversation's, on a
 * conversation page). */
async function live(page: Page, info: TestInfo) {
  if (!jsEnabled(info)) return;
  const onConversation = /\/messages\/\d+$/.test(new URL(page.url()).pathname);
  const marker = onConversation ? '[data-testid="thread"][data-live="on"]' : '[data-live="on"]';
  await expect(page.locator(marker).first()).toBeAttached();
}

async function signIn(page: Page, who: { username: string; password: string }, staff: boolean, base = "") {
  await page.goto(`${base}${staff ? "/staff/login" : "/login"}`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  if (jsEnabled(test.info())) await page.waitForLoadState("networkidle");
  await submitSignIn(page, who.username, who.password);
  await expect(page).toHaveURL(staff ? /\/staff$/ : /\/$/);
}

async function chooseRecord(page: Page, label: string) {
  if (jsEnabled(test.info())) await page.waitForLoadState("networkidle");
  await page.getByLabel("Viewing").selectOption({ label });
  // With JavaScript the switch is a background request: wait for it, not for the select.
  const switched = jsEnabled(test.info())
    ? page.waitForResponse((r) => r.url().endsWith("/api/records/select") && r.ok())
    : Promise.resolve();
  await page.getByRole("button", { name: "Switch" }).click();
  await switched;
  await expect(page.locator("#record-switch option:checked")).toHaveText(label);
}

async function office(browser: Browser, info: TestInfo, who = admin) {
  const context = await browser.newContext({ baseURL: info.project.use.baseURL, javaScriptEnabled: jsEnabled(info) });
  const page = await context.newPage();
  await signInAsStaff(page, info, who);
  return page;
}

/** Write a new message from the patient's side; leaves the page on the conversation. */
async function write(page: Page, info: TestInfo, subject: string, body: string, base = "") {
  await page.goto(`${base}/messages/new`);
  await expect(page.getByText("Messages are not for emergencies.")).toBeVisible();
  if (jsEnabled(info)) await page.waitForLoadState("networkidle");
  await page.getByLabel("Billing").check();
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Message", { exact: true }).fill(body);
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(page.getByRole("heading", { name: subject })).toBeVisible();
  await expect(page.getByTestId("message").filter({ hasText: body })).toBeVisible();
}

async function reply(page: Page, body: string) {
  await page.getByLabel("Reply", { exact: true }).fill(body);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Without JavaScript the page is read again by following its "Check for new messages" link. */
async function catchUp(page: Page, info: TestInfo) {
  if (!jsEnabled(info)) await page.getByRole("link", { name: "Check for new messages" }).click();
}

test("a patient writes, the practice answers, each sees the other without reloading", async ({ page, browser }, info) => {
  const subject = tag(info, "Question about my invoice");
  await signIn(page, patient, false);
  await chooseRecord(page, "Emma Carter · Riverside Family Medicine");
  await page.goto("/messages/new");
  await expect(page.getByText("The practice usually answers within 2 business days.")).toBeVisible();

  const staff = await office(browser, info);
  await staff.goto("/staff/messages");
  await live(staff, info);

  await write(page, info, subject, "Why was I charged twice in March?");
  await live(page, info);

  // The inbox shows it (live with JavaScript; on the next look without).
  await catchUp(staff, info);
  const row = staff.getByTestId("conversation").filter({ hasText: subject });
  await expect(row).toBeVisible({ timeout: jsEnabled(info) ? LIVE_MS : undefined });
  await expect(row.getByText("Needs reply")).toBeVisible();
  await row.getByRole("link").click();
  await expect(staff).toHaveURL(/\/staff\/messages\/\d+$/);
  await expect(staff.getByTestId("patient")).toContainText("Emma Carter");
  await expect(staff.getByTestId("patient")).toContainText("born 1986-04-12");
  await live(staff, info);
  await reply(staff, "It was a duplicate charge; we have refunded it.");
  await expect(staff.getByTestId("message").filter({ hasText: "refunded" })).toBeVisible();

  await catchUp(page, info);
  const answer = page.getByTestId("message").filter({ hasText: "It was a duplicate charge; we have refunded it." });
  await expect(answer).toBeVisible({ timeout: jsEnabled(info) ? LIVE_MS : undefined });
  await expect(answer).toContainText("Priya Shah");
  // Read on the patient's side: staff see it (live, or on their next look).
  await catchUp(staff, info);
  await expect(staff.getByTestId("seen")).toHaveText("Read by the patient", { timeout: jsEnabled(info) ? LIVE_MS : undefined });
  // The patient answers back; the list shows the conversation.
  await reply(page, "Thank you!");
  await expect(page.getByTestId("message").filter({ hasText: "Thank you!" })).toBeVisible();
  await page.goto("/messages");
  await expect(page.getByTestId("conversation").filter({ hasText: subject })).toBeVisible();
});

test("a representative writes about the record they represent", async ({ page, browser }, info) => {
  test.setTimeout(150_000);
  await exclusively("harbor-messaging", () => representative(page, browser, info));
});

async function representative(page: Page, browser: Browser, info: TestInfo) {
  const subject = tag(info, "Lily's inhaler");
  await signIn(page, patient, false);
  await chooseRecord(page, "Lily Carter (you represent) · Harbor Pediatrics & Internal Medicine");
  await page.goto("/messages/new");
  await expect(page.getByText("You are writing about Lily Carter's record, as their representative.")).toBeVisible();
  await write(page, info, subject, "Lily needs a new inhaler prescription.");
  await expect(page.getByTestId("message").first()).toContainText("Emma Carter (representative)");
  const staff = await office(browser, info, harbor);
  await staff.goto("/staff/messages");
  const row = staff.getByTestId("conversation").filter({ hasText: subject });
  await expect(row).toContainText("Lily Carter");
  await staff.context().close();
}

test("the practice closes a conversation; the patient is told and starts a new one", async ({ page, browser }, info) => {
  const subject = tag(info, "Closing question");
  await signIn(page, patient, false);
  await chooseRecord(page, "Emma Carter · Riverside Family Medicine");
  await write(page, info, subject, "Is the clinic open on Saturdays?");
  await live(page, info);
  const conversation = new URL(page.url()).pathname;

  const staff = await office(browser, info);
  await staff.goto("/staff/messages?filter=all&q=" + encodeURIComponent("Closing question"));
  await staff.getByTestId("conversation").filter({ hasText: subject }).getByRole("link").click();
  await live(staff, info);
  await reply(staff, "Yes, 9 to 12. Closing this now.");
  await expect(staff.getByTestId("message").filter({ hasText: "Closing this now" })).toBeVisible();
  await staff.getByRole("button", { name: "Close conversation" }).click();
  await expect(staff.getByRole("button", { name: "Reopen conversation" })).toBeVisible();

  await catchUp(page, info);
  await expect(page.getByText(/Closed by the practice on .*You can start a new message/)).toBeVisible({
    timeout: jsEnabled(info) ? LIVE_MS : undefined,
  });
  await expect(page.getByLabel("Reply", { exact: true })).toHaveCount(0);
  await page.goto("/messages");
  await expect(page.getByTestId("conversation").filter({ hasText: subject })).toContainText("Closed");
  await write(page, info, tag(info, "A new question"), "And on Sundays?");
  expect(new URL(page.url()).pathname).not.toBe(conversation);
});

test("a staff message entered in error is withdrawn, not deleted", async ({ page, browser }, info) => {
  const subject = tag(info, "Result question");
  await signIn(page, patient, false);
  await chooseRecord(page, "Emma Carter · Riverside Family Medicine");
  await write(page, info, subject, "Are my results back?");
  await live(page, info);
  const staff = await office(browser, info);
  await staff.goto("/staff/messages?filter=all&q=" + encodeURIComponent("Result question"));
  await staff.getByTestId("conversation").filter({ hasText: subject }).getByRole("link").click();
  await live(staff, info);
  await reply(staff, "Your potassium is high (wrong patient).");
  const wrong = staff.getByTestId("message").filter({ hasText: "wrong patient" });
  await wrong.locator("summary").click();
  await wrong.getByLabel("Why was it entered in error?").fill("Sent to the wrong patient");
  await wrong.getByRole("button", { name: "Mark as entered in error" }).click();
  await expect(staff.getByTestId("withdrawn")).toContainText("Sent to the wrong patient");

  await catchUp(page, info);
  await expect(page.getByTestId("withdrawn")).toContainText("This message was withdrawn by the practice on", {
    timeout: jsEnabled(info) ? LIVE_MS : undefined,
  });
  await expect(page.getByText("potassium")).toHaveCount(0);
});

// Journeys that write to Harbor, or switch its messaging off, run one at a time (the two
// projects share one database), holding the lock "harbor-messaging".

test("a practice that switches messaging off keeps the history readable", async ({ page, browser }, info) => {
  test.setTimeout(150_000);
  await exclusively("harbor-messaging", async () => {
    const staff = await office(browser, info, harbor);
    await signIn(page, patient, false);
    await chooseRecord(page, "Lily Carter (you represent) · Harbor Pediatrics & Internal Medicine");
    const settings = async (on: boolean) => {
      await staff.goto("/staff/messages/settings");
      if (jsEnabled(info)) await staff.waitForLoadState("networkidle");
      await staff.getByLabel("Patients can send messages online").setChecked(on);
      await staff.getByRole("button", { name: "Save settings" }).click();
      await expect(staff.getByText("Settings saved.")).toBeVisible();
    };
    await settings(false);
    try {
      await page.goto("/messages");
      await expect(page.getByText("Harbor Pediatrics & Internal Medicine is not taking messages online.")).toBeVisible();
      await expect(page.getByRole("link", { name: "+1 415 555 0190" })).toBeVisible();
      await expect(page.getByText("45 Harbor Way")).toBeVisible();
      await expect(page.getByRole("link", { name: "New message", exact: true })).toHaveCount(0);
      // The earlier conversation is still there to read, without a reply box.
      await page.getByTestId("conversation").filter({ hasText: "School sports form for Lily" }).getByRole("link").click();
      await expect(page.getByTestId("message").first()).toContainText("sports physical");
      await expect(page.getByLabel("Reply", { exact: true })).toHaveCount(0);
      await page.goto("/messages/new");
      await expect(page.getByLabel("Subject")).toHaveCount(0);
    } finally {
      await settings(true);
    }
    await page.goto("/messages");
    await expect(page.getByRole("link", { name: "New message", exact: true })).toBeVisible();
  });
});

test("a session that ends says so on the conversation and keeps the draft", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "without JavaScript nothing runs in an idle tab; the next form shows the sign-in page");
  test.setTimeout(150_000);
  await signIn(page, patient, false, idleServer);
  await chooseRecord(page, "Emma Carter · Riverside Family Medicine");
  await page.goto(`${idleServer}/messages`);
  await page.getByTestId("conversation").filter({ hasText: "Question about my blood test" }).getByRole("link").click();
  await expect(page).toHaveURL(/\/messages\/\d+$/);
  await live(page, info);
  const conversation = new URL(page.url()).pathname;
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/messages/draft") && r.ok());
  await page.getByLabel("Reply", { exact: true }).fill("Also, should I fast before the next test?");
  await saved;
  // Nothing else happens: the session idles out (62 s on this server) and the page says so.
  const notice = page.getByTestId("signed-out");
  await expect(notice).toHaveText(
    "You're signed out of messaging. Sign in again to continue — your draft is kept. Sign in again",
    { timeout: 90_000 },
  );
  expect(new URL(page.url()).pathname).toBe(conversation);
  await notice.getByRole("link", { name: "Sign in again" }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await submitSignIn(page, patient.username, patient.password);
  await expect(page).toHaveURL(new RegExp(`${conversation}$`));
  await expect(page.getByLabel("Reply", { exact: true })).toHaveValue("Also, should I fast before the next test?");
});

test("messaging pages have no accessibility violations", async ({ page, browser }, info) => {
  test.skip(!jsEnabled(info), "axe-core needs JavaScript");
  const check = async (p: Page) => {
    const results = await new AxeBuilder({ page: p }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${p.url()} ${v.id}: ${v.help}`)).toEqual([]);
  };
  await signIn(page, patient, false);
  await chooseRecord(page, "Emma Carter · Riverside Family Medicine");
  await page.goto("/messages");
  await live(page, info);
  await check(page);
  await page.getByTestId("conversation").filter({ hasText: "Refill for lisinopril" }).getByRole("link").click();
  await live(page, info);
  await check(page);
  await page.goto("/messages/new");
  await page.waitForLoadState("networkidle");
  await check(page);
  const staff = await office(browser, info);
  await staff.goto("/staff/messages");
  await live(staff, info);
  await check(staff);
  await staff.getByTestId("conversation").first().getByRole("link").click();
  await live(staff, info);
  await check(staff);
});
