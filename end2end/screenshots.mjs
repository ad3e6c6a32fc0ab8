// Screenshots of the main pages on a phone and a desktop, for looking at the design.
// Usage: node screenshots.mjs [base-url] [out-dir]   (server must be running with demo data)
import { chromium } from "@playwright/test";
import crypto from "node:crypto";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const out = process.argv[3] ?? "../target/screenshots";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function shoot(name, viewport, steps, javaScriptEnabled = true) {
  const context = await browser.newContext({ viewport, javaScriptEnabled });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await steps(page);
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  if (errors.length) console.log(`${name}: console errors:\n  ${errors.join("\n  ")}`);
  await context.close();
}

async function signIn(page, path, user, pass) {
  await page.goto(base + path);
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.fill("#field-username", user);
  await page.fill("#field-password", pass);
  await page.click("button[type=submit]");
  if (user === "admin") await demoAdminCode(page);
}

// The demo admins' code (README: secret JBSWY3DPEHPK3PXP, 30-second steps, HMAC-SHA-1), at the
// server's own time. Screenshots sign in once per step at most, so it waits out a used step.
let lastStep = -1;
async function demoAdminCode(page) {
  await page.waitForURL("**/staff/login/code");
  await page.waitForLoadState("networkidle").catch(() => {});
  let step;
  do {
    step = Math.floor(Number(await (await page.request.get(base + "/dev/clock")).text()) / 30);
    if (step <= lastStep) await page.waitForTimeout(2_000);
  } while (step <= lastStep);
  lastStep = step;
  const key = Buffer.from([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe, 0xef]); // base32 JBSWY3DPEHPK3PXP
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const n = (mac.readUInt32BE(mac[19] & 0x0f) & 0x7fffffff) % 1_000_000;
  await page.fill("#field-code", n.toString().padStart(6, "0"));
  await page.click("button[type=submit]");
}

for (const [label, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]]) {
  await shoot(`login-${label}`, viewport, async (p) => { await p.goto(base + "/login"); });
  await shoot(`login-error-${label}`, viewport, async (p) => {
    await signIn(p, "/login", "demo", "wrong-password");
    await p.waitForSelector(".alert-error");
  });
  await shoot(`home-${label}`, viewport, async (p) => {
    await signIn(p, "/login", "demo", "Portico-demo1");
    await p.waitForSelector("[data-testid=selected-record]");
  });
  await shoot(`staff-${label}`, viewport, async (p) => {
    await signIn(p, "/staff/login", "admin", "Portico-admin1");
    await p.waitForURL("**/staff");
    await p.waitForSelector("h1");
  });
  const patient = async (p, path) => {
    await signIn(p, "/login", "demo", "Portico-demo1");
    await p.waitForSelector("[data-testid=selected-record]");
    await p.goto(base + path);
    await p.waitForLoadState("networkidle").catch(() => {});
  };
  await shoot(`appointments-${label}`, viewport, (p) => patient(p, "/appointments"));
  await shoot(`appointment-${label}`, viewport, async (p) => {
    await patient(p, "/appointments");
    await p.locator("[data-testid=appointment] a").first().click();
    await p.waitForSelector("[data-testid=appointment-when]");
  });
  await shoot(`cancel-fee-${label}`, viewport, async (p) => {
    await patient(p, "/appointments");
    await p.locator("[data-testid=appointment] a").first().click();
    await p.click("text=Cancel appointment");
    await p.waitForSelector("text=Charges may apply.");
  });
  await shoot(`book-week-${label}`, viewport, (p) => patient(p, "/appointments/book/1"));
  const staff = async (p, path) => {
    await signIn(p, "/staff/login", "admin", "Portico-admin1");
    await p.waitForURL("**/staff");
    await p.goto(base + path);
    await p.waitForLoadState("networkidle").catch(() => {});
  };
  await shoot(`staff-requests-${label}`, viewport, (p) => staff(p, "/staff/requests"));
  await shoot(`staff-schedule-week-${label}`, viewport, (p) => staff(p, "/staff/schedule?view=week"));
  await shoot(`staff-settings-${label}`, viewport, (p) => staff(p, "/staff/settings"));
  await shoot(`staff-patient-${label}`, viewport, async (p) => {
    await staff(p, "/staff/patients?q=Nguyen");
    await p.click("text=Nguyen, Sophia");
    await p.waitForSelector("[data-testid=pin]");
  });
  await shoot(`account-${label}`, viewport, (p) => patient(p, "/account"));
  // The demo's full health record is Emma's at Riverside.
  const atRiverside = async (p, path) => {
    await patient(p, "/");
    await p.selectOption("#record-switch", { label: "Emma Carter · Riverside Family Medicine" });
    await Promise.all([p.waitForResponse((r) => r.url().endsWith("/api/records/select")).catch(() => {}), p.click("text=Switch")]);
    await p.goto(base + path);
    await p.waitForLoadState("networkidle").catch(() => {});
  };
  await shoot(`health-record-${label}`, viewport, (p) => atRiverside(p, "/health-record"));
  await shoot(`health-record-send-${label}`, viewport, (p) => atRiverside(p, "/health-record/send"));
  await shoot(`activity-${label}`, viewport, (p) => atRiverside(p, "/activity"));
  await shoot(`staff-chart-record-${label}`, viewport, async (p) => {
    await staff(p, "/staff/patients?q=Carter");
    await p.click("text=Carter, Emma");
    await p.click("text=Health record and results");
    await p.waitForSelector("[data-testid=chart-result]");
  });
  // Messaging pages hold a live connection, so the network never goes idle: wait for it.
  const riverside = async (p) => {
    await signIn(p, "/login", "demo", "Portico-demo1");
    await p.waitForSelector("[data-testid=selected-record]");
    await p.waitForLoadState("networkidle").catch(() => {});
    await p.selectOption("#record-switch", { label: "Emma Carter · Riverside Family Medicine" });
    await Promise.all([p.waitForResponse((r) => r.url().endsWith("/api/records/select")), p.click("text=Switch")]);
  };
  await shoot(`messages-${label}`, viewport, async (p) => {
    await riverside(p);
    await p.goto(base + "/messages");
    await p.waitForSelector("[data-live=on]");
  });
  await shoot(`conversation-${label}`, viewport, async (p) => {
    await riverside(p);
    await p.goto(base + "/messages");
    await p.click("text=Refill for lisinopril");
    await p.waitForSelector("[data-testid=thread][data-live=on]");
  });
  await shoot(`new-message-${label}`, viewport, async (p) => {
    await riverside(p);
    await p.goto(base + "/messages/new");
    await p.waitForSelector("text=Messages are not for emergencies.");
  });
  await shoot(`staff-messages-${label}`, viewport, async (p) => {
    await signIn(p, "/staff/login", "admin", "Portico-admin1");
    await p.waitForURL("**/staff");
    await p.goto(base + "/staff/messages");
    await p.waitForSelector("[data-live=on]");
  });
  await shoot(`staff-conversation-${label}`, viewport, async (p) => {
    await signIn(p, "/staff/login", "admin", "Portico-admin1");
    await p.waitForURL("**/staff");
    await p.goto(base + "/staff/messages?filter=all");
    await p.click("text=Refill for lisinopril");
    await p.waitForSelector("[data-testid=thread][data-live=on]");
  });
  await shoot(`forgot-password-${label}`, viewport, async (p) => { await p.goto(base + "/forgot-password"); });
  await shoot(`enroll-${label}`, viewport, async (p) => {
    const list = await (await fetch(base + "/dev/outbox.json?to=sophia.nguyen%40example.com")).json();
    const path = list.map((m) => m.body.match(/\/enroll\/[0-9a-f]+/)?.[0]).find(Boolean);
    await p.goto(base + path);
    await p.waitForLoadState("networkidle").catch(() => {});
  });
}
// Without JavaScript: the same forms as plain HTML posts.
await shoot("nojs-login-error-phone", { width: 390, height: 844 }, async (p) => {
  await signIn(p, "/login", "demo", "wrong-password");
  await p.waitForSelector(".alert-error");
}, false);
await shoot("nojs-home-desktop", { width: 1280, height: 800 }, async (p) => {
  await signIn(p, "/login", "demo", "Portico-demo1");
  await p.waitForSelector("[data-testid=selected-record]");
}, false);
for (const [name, path] of [["appointments", "/appointments"], ["cancel", null]]) {
  await shoot(`nojs-${name}-phone`, { width: 390, height: 844 }, async (p) => {
    await signIn(p, "/login", "demo", "Portico-demo1");
    await p.waitForSelector("[data-testid=selected-record]");
    await p.goto(base + "/appointments");
    if (path === null) {
      await p.locator("[data-testid=appointment] a").first().click();
      await p.click("text=Cancel appointment");
      await p.waitForSelector("text=Charges may apply.");
    }
  }, false);
}
await browser.close();
