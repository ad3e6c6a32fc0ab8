import { defineConfig } from "@playwright/test";
import { clockStart } from "./tests/clock";

// Journeys run twice: with JavaScript (hydrated app) and without (plain HTML forms).
// The server is the build named by E2E_SERVER (the test script uses the release build; by
// default the debug build from `cargo leptos build`), on a fresh database given by
// E2E_DATABASE_URL (the test script makes one for SQLite and one for PostgreSQL).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;


function server(port: number, extra: Record<string, string>, suffix = "") {
  const url = process.env.E2E_DATABASE_URL ?? "sqlite:target/e2e.db";
  return {
    command: process.env.E2E_SERVER ?? "./target/debug/portico",
    cwd: "..",
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      PORTICO_ENV: "development",
      PORTICO_DEMO_DATA: "1",
      // The idle server gets its own database (SQLite file or PostgreSQL database).
      DATABASE_URL: suffix ? (process.env.E2E_IDLE_DATABASE_URL ?? "sqlite:target/e2e-idle.db") : url,
      PORTICO_BASE_URL: `http://127.0.0.1:${port}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      RUST_LOG: "warn",
      // The same calendar whatever day the journeys run on (see weekFrom in the helpers).
      PORTICO_CLOCK_START: clockStart,
      // Every messaging journey writes about the same demo record.
      PORTICO_NEW_CONVERSATIONS_PER_DAY: "100",
      PORTICO_MESSAGES_PER_MINUTE: "100",
      // Appointment times must not depend on the server's zone (nor the browser's: below).
      TZ: "Asia/Kolkata",
      ...extra,
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  // Long journeys on PostgreSQL, both browser projects sharing two cores, passed 30 s at times.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    timezoneId: "Australia/Lord_Howe",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true } },
    { name: "nojs", use: { javaScriptEnabled: false } },
  ],
  webServer: [server(port, {}), server(port + 1, { PORTICO_IDLE_TIMEOUT_SECS: "62" }, "-idle")],
});
