import { expect, test, type APIRequestContext, type Browser, type Page, type TestInfo } from "./fixtures";
import { admin, ready, signInAsStaff, submitSignIn } from "./helpers";

// Portal access from both sides. Each journey creates its own never-invited chart (through the
// development-only `POST /dev/charts`) and reads its messages from `/dev/outbox.json`, so the
// journeys (and their JavaScript-on and -off runs) never share a patient.

type Person = { given: string; family: string; dob: string; email: string; phone: string; username: string };

let counter = 0;
function person(info: TestInfo, given: string): Person {
  const tag = `${info.project.name}${Date.now().toString(36)}${counter++}`;
  const digits = String(1000 + Math.floor(Math.random() * 8999));
  return {
    given,
    family: `Tester${tag}`,
    dob: "1990-07-14",
    email: `${given.toLowerCase()}.${tag}@example.com`,
    phone: `+1212555${digits}`,
    username: `${given.toLowerCase()}-${tag}`,
  };
}

async function createChart(request: APIRequestContext, p: Person): Promise<number> {
  const res = await request.post("/dev/charts", {
    headers: { "sec-fetch-site": "same-origin" },
    form: { given_name: p.given, family_name: p.family, date_of_birth: p.dob, email: p.email, phone: p.phone },
  });
  expect(res.ok()).toBeTruthy();
  return (await res.json()).id;
}

type Message = { channel: string; to: string; subject: string; body: string };

async function lastMessage(request: APIRequestContext, to: string, subject: RegExp): Promise<Message> {
  let found: Message | undefined;
  await expect
    .poll(async () => {
      const list: Message[] = await (await request.get(`/dev/outbox.json?to=${encodeURIComponent(to)}`)).json();
      found = list.find((m) => subject.test(m.subject));
      return Boolean(found);
    })
    .toBeTruthy();
  return found!;
}

function link(body: string, prefix: string): string {
  const m = body.match(new RegExp(`(/${prefix}/[0-9a-f]+)`));
  expect(m, body).toBeTruthy();
  return m![1];
}

/** Staff: find the chart, invite, and read the PIN in the panel. */
async function staffInvites(page: Page, info: TestInfo, p: Person): Promise<string> {
  await signInAsStaff(page, info, admin);
  await page.goto("/staff/patients");
  await page.getByLabel(/Search by name/).fill(p.family);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: `${p.family}, ${p.given}` }).click();
  await expect(page.getByRole("link", { name: "Portal: not invited" })).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Invite to patient portal" }).click();
  await expect(page.getByText("Invitation sent.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Portal: invited" })).toBeVisible();
  return (await page.getByTestId("pin").textContent())!.trim();
}

async function patientPage(browser: Browser, info: TestInfo): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: info.project.name === "js" });
  return context.newPage();
}

function usDate(iso: string) {
  const [y, m, d] = iso.split("-");
  return `${m}/${d}/${y}`;
}

/** From the invitation link: prove identity with the PIN, then create an account. */
async function enrollWithPin(page: Page, info: TestInfo, url: string, p: Person, pin: string) {
  await page.goto(url);
  await ready(page, info);
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
  await page.getByLabel("Access code (PIN)").fill(pin);
  await page.getByLabel("Date of birth").fill("01/01/1990");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Your date of birth is incorrect")).toBeVisible();
  await page.getByLabel("Access code (PIN)").fill(pin);
  await page.getByLabel("Date of birth").fill(usDate(p.dob));
  await page.getByRole("button", { name: "Continue" }).click();
  await createAccount(page, info, p);
}

async function createAccount(page: Page, info: TestInfo, p: Person, prefilled = true) {
  await expect(page.getByRole("heading", { name: "Set up your portal account" })).toBeVisible();
  await ready(page, info);
  const username = page.getByLabel("Username").first();
  if (prefilled) await expect(username).toHaveValue(p.email);
  await username.fill(p.username);
  await page.getByLabel("Password", { exact: true }).first().fill("Blue-Harbor-42");
  await page.getByLabel("Security question").selectOption("In what city were you born?");
  await page.getByLabel("Answer").fill("Lisbon");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${p.given}` })).toBeVisible();
}

test("staff invite, then the patient enrolls with PIN and date of birth, forgets the username and the password", async ({ page, browser, request }, info) => {
  const p = person(info, "Nora");
  await createChart(request, p);
  const pin = await staffInvites(page, info, p);
  const invite = await lastMessage(request, p.email, /invites you/);
  const patient = await patientPage(browser, info);
  await enrollWithPin(patient, info, link(invite.body, "enroll"), p, pin);

  // Forgot username.
  await patient.context().clearCookies();
  await patient.goto("/forgot-username");
  await ready(patient, info);
  await patient.getByLabel("Email address").fill(p.email);
  await patient.getByRole("button", { name: "Email my username" }).click();
  await expect(patient.getByText("If that email address belongs to a portal account")).toBeVisible();
  const names = await lastMessage(request, p.email, /username/);
  expect(names.body).toContain(p.username);

  // Forgot password, by the security question.
  await patient.goto("/forgot-password");
  await ready(patient, info);
  await patient.getByLabel("Username").fill(p.username);
  await patient.getByRole("button", { name: "Reset password" }).click();
  await expect(patient.getByText("If that username belongs to a portal account")).toBeVisible();
  const reset = await lastMessage(request, p.email, /Reset/);
  await patient.goto(link(reset.body, "reset-password"));
  await ready(patient, info);
  await patient.getByLabel("Date of birth").fill(p.dob.replaceAll("-", ""));
  await patient.getByLabel("In what city were you born?").fill("lisbon");
  await patient.getByRole("button", { name: "Continue" }).click();
  await expect(patient.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await ready(patient, info);
  await patient.getByLabel("New password").fill("Green-Field-77");
  await patient.getByRole("button", { name: "Save password" }).click();
  await expect(patient.getByText("Your password has been changed")).toBeVisible();
  await submitSignIn(patient, p.username, "Green-Field-77");
  await expect(patient.getByRole("heading", { name: `Welcome, ${p.given}` })).toBeVisible();
  await patient.context().close();
});

test("enrollment and password reset by a code sent to the phone", async ({ page, browser, request }, info) => {
  const p = person(info, "Owen");
  await createChart(request, p);
  await staffInvites(page, info, p);
  const invite = await lastMessage(request, p.email, /invites you/);
  const patient = await patientPage(browser, info);
  await patient.goto(link(invite.body, "enroll"));
  await ready(patient, info);
  await patient.getByLabel("Mobile phone number").fill("212 555 0000");
  await patient.getByRole("button", { name: "Send code" }).click();
  await expect(patient.getByText("Phone number does not match records")).toBeVisible();
  await patient.getByLabel("Mobile phone number").fill(p.phone);
  await patient.getByRole("button", { name: "Send code" }).click();
  await expect(patient.getByText(/Didn't get it\? You can request the code again in \d+ seconds/)).toBeVisible();
  const text = await lastMessage(request, p.phone, /Security code/);
  const code = text.body.match(/\d{5,6}/)![0];
  await patient.getByLabel("Security code", { exact: true }).fill(code);
  await patient.getByRole("button", { name: "Check" }).click();
  await createAccount(patient, info, p);

  await patient.context().clearCookies();
  await patient.goto("/forgot-password");
  await ready(patient, info);
  await patient.getByLabel("Username").fill(p.username);
  await patient.getByRole("button", { name: "Reset password" }).click();
  await expect(patient.getByText("If that username belongs to a portal account")).toBeVisible();
  const reset = await lastMessage(request, p.email, /Reset/);
  await patient.goto(link(reset.body, "reset-password"));
  await ready(patient, info);
  await patient.getByLabel("Mobile phone number").fill(p.phone);
  await patient.getByLabel("Voice call").check();
  await patient.getByRole("button", { name: "Send code" }).click();
  await expect(patient.getByLabel("Security code", { exact: true })).toBeVisible();
  let spoken = "";
  await expect
    .poll(async () => {
      const list: Message[] = await (await request.get(`/dev/outbox.json?to=${encodeURIComponent(p.phone)}`)).json();
      spoken = list.find((m) => m.channel === "voice")?.body ?? "";
      return spoken;
    })
    .not.toBe("");
  const digits = spoken.split("Again:")[0].replace(/\D/g, "");
  await patient.getByLabel("Security code", { exact: true }).fill(digits);
  await patient.getByRole("button", { name: "Check" }).click();
  await expect(patient.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await ready(patient, info);
  await patient.getByLabel("New password").fill("Green-Field-77");
  await patient.getByRole("button", { name: "Save password" }).click();
  await expect(patient.getByText("Your password has been changed")).toBeVisible();
  await patient.context().close();
});

test("enrollment that links the record to an existing account", async ({ page, browser, request }, info) => {
  const first = person(info, "Ruth");
  const second = person(info, "Sam");
  await createChart(request, first);
  await createChart(request, second);
  const pin1 = await staffInvites(page, info, first);
  const patient = await patientPage(browser, info);
  await enrollWithPin(patient, info, link((await lastMessage(request, first.email, /invites you/)).body, "enroll"), first, pin1);
  await patient.context().clearCookies();

  const pin2 = await staffInvites(page, info, second);
  await patient.goto(link((await lastMessage(request, second.email, /invites you/)).body, "enroll"));
  await ready(patient, info);
  await patient.getByLabel("Access code (PIN)").fill(pin2);
  await patient.getByLabel("Date of birth").fill(usDate(second.dob));
  await patient.getByRole("button", { name: "Continue" }).click();
  await expect(patient.getByRole("heading", { name: "Set up your portal account" })).toBeVisible();
  await ready(patient, info);
  const linkForm = patient.getByRole("region", { name: /add this record to an account/ });
  await linkForm.getByLabel("Username").fill(first.username);
  await linkForm.getByLabel("Password").fill("Blue-Harbor-42");
  await linkForm.getByRole("button", { name: "Link and sign in" }).click();
  await expect(patient.getByRole("heading", { name: `Welcome, ${first.given}` })).toBeVisible();
  await expect(patient.getByText(`${second.given} ${second.family}`).first()).toBeAttached();
  await patient.context().close();
});

test("resending an invitation makes the old link invalid", async ({ page, request }, info) => {
  const p = person(info, "Tess");
  await createChart(request, p);
  await staffInvites(page, info, p);
  const first = link((await lastMessage(request, p.email, /invites you/)).body, "enroll");
  await page.getByRole("button", { name: "Resend invite" }).click();
  await expect(page.getByText("A new invitation was sent.")).toBeVisible();
  let second = first;
  await expect
    .poll(async () => {
      second = link((await lastMessage(request, p.email, /invites you/)).body, "enroll");
      return second;
    })
    .not.toBe(first);
  await page.goto(first);
  await expect(page.getByRole("heading", { name: "A newer invitation was sent" })).toBeVisible();
  await page.goto(second);
  await expect(page.getByRole("heading", { name: "Confirm it's you" })).toBeVisible();
});

test("revoking access ends a signed-in patient's session; reset account invites again", async ({ page, browser, request }, info) => {
  // Two enrollments and five staff actions in two browsers: longer than the default allows
  // when both databases' journeys share the machine's two cores.
  test.setTimeout(60_000);
  const p = person(info, "Vera");
  await createChart(request, p);
  const pin = await staffInvites(page, info, p);
  const staffChart = page.url();
  const patient = await patientPage(browser, info);
  await enrollWithPin(patient, info, link((await lastMessage(request, p.email, /invites you/)).body, "enroll"), p, pin);

  await page.goto(staffChart);
  await ready(page, info);
  await page.getByRole("button", { name: "Revoke access" }).click();
  await expect(page.getByText("Portal access revoked.")).toBeVisible();
  await patient.goto("/appointments");
  await expect(patient).toHaveURL(/\/login/);

  await page.getByRole("button", { name: "Re-enable access" }).click();
  await expect(page.getByText("Portal access re-enabled.")).toBeVisible();
  await ready(page, info);
  await page.getByRole("button", { name: "Reset account" }).click();
  await expect(page.getByText("Account reset.")).toBeVisible();
  const newPin = (await page.getByTestId("pin").textContent())!.trim();
  const invite = await lastMessage(request, p.email, /invites you/);
  await patient.goto(link(invite.body, "enroll"));
  await ready(patient, info);
  await patient.getByLabel("Access code (PIN)").fill(newPin);
  await patient.getByLabel("Date of birth").fill(usDate(p.dob));
  await patient.getByRole("button", { name: "Continue" }).click();
  await expect(patient.getByRole("heading", { name: "Set up your portal account" })).toBeVisible();
  await ready(patient, info);
  await patient.getByLabel("Username").first().fill(p.username);
  await patient.getByLabel("Password", { exact: true }).first().fill("Blue-Harbor-42");
  await patient.getByLabel("Answer").fill("Lisbon");
  await patient.getByRole("button", { name: "Create account" }).click();
  await expect(patient.getByText("Username has already been taken")).toBeVisible();
  await createAccount(patient, info, { ...p, username: `${p.username}-2` }, false);
  await patient.context().close();
});
