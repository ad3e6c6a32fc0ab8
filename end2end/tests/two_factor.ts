import { expect, type Page, type TestInfo } from "@playwright/test";
import crypto from "node:crypto";
import { exclusively, readRunFile, writeRunFile } from "./lock";

/** The demo admins' two-factor secret (README: `oathtool --totp -b JBSWY3DPEHPK3PXP`). */
export const DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP";
const STEP = 30;

export function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/[\s=]/g, "").toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${text}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 with the app defaults: HMAC-SHA-1, six digits, for one 30-second step. */
export function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, "0");
}

/** The code to type for `username` on the server `page` is on: computed from the server's own
 * clock (PORTICO_CLOCK_START moves it), and never a step an earlier sign-in used, since the
 * server accepts each code once; journeys in both projects share the account, so the last
 * step used is kept in a file, under a lock. Waits when the next free step is not yet near. */
export async function codeFor(page: Page, username: string, secret: string): Promise<string> {
  const origin = new URL(page.url()).origin;
  const key = `${origin} ${username}`;
  return exclusively("totp", async () => {
    const used = readRunFile<number>("totp-steps");
    for (;;) {
      const now = Number(await (await page.request.get(`${origin}/dev/clock`)).text());
      const current = Math.floor(now / STEP);
      const step = Math.max(current, (used[key] ?? -1) + 1);
      // The server takes one step either way of its own.
      if (step <= current + 1) {
        used[key] = step;
        writeRunFile("totp-steps", used);
        return totp(base32Decode(secret), step);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  });
}

/** On the code page after a correct password: enter the code and sign in. */
export async function enterCode(page: Page, ready: () => Promise<void>, username: string, secret: string) {
  await expect(page).toHaveURL(/\/staff\/login\/code/);
  await expect(page.getByRole("heading", { name: "Enter your sign-in code" })).toBeVisible();
  await ready();
  await page.getByLabel("Code").fill(await codeFor(page, username, secret));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
}

/** An admin's session from an earlier journey of this run, if it is still good; it saves
 * journeys a second factor each (a code is good once per 30 seconds). */
export async function reuseSession(page: Page, info: TestInfo, username: string): Promise<boolean> {
  const base = info.project.use.baseURL!;
  const saved = readRunFile<string>("staff-sessions")[`${base} ${username}`];
  if (!saved) return false;
  await page.context().addCookies([{ name: "portico_session", value: saved, url: base }]);
  await page.goto("/staff");
  return new URL(page.url()).pathname === "/staff";
}

export async function saveSession(page: Page, info: TestInfo, username: string) {
  const base = info.project.use.baseURL!;
  const cookie = (await page.context().cookies(base)).find((c) => c.name === "portico_session");
  if (!cookie) return;
  await exclusively("staff-sessions", async () => {
    const all = readRunFile<string>("staff-sessions");
    all[`${base} ${username}`] = cookie.value;
    writeRunFile("staff-sessions", all);
  });
}
