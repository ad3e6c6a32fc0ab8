import { test as base, type BrowserContext } from "@playwright/test";

// Every journey imports `test` from here: when a journey fails, what the browser wrote to its
// console (a WASM panic says what broke there, and nowhere else) is printed with the failure,
// so that a failure seen only in CI can be read from CI's log.
export { expect } from "@playwright/test";
export type { APIRequestContext, Browser, Page, TestInfo } from "@playwright/test";

export const test = base.extend<{ browserConsole: void }>({
  browserConsole: [
    async ({ browser, context }, use, info) => {
      const lines: string[] = [];
      const watch = (ctx: BrowserContext) => {
        ctx.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") lines.push(`[${m.type()}] ${m.text()}`);
        });
        ctx.on("weberror", (e) => lines.push(`[pageerror] ${e.error().message}`));
      };
      watch(context);
      // Journeys open second browsers (the patient beside the office) with newContext.
      const newContext = browser.newContext.bind(browser);
      browser.newContext = async (...args) => {
        const ctx = await newContext(...args);
        watch(ctx);
        return ctx;
      };
      await use();
      browser.newContext = newContext;
      if (info.status !== info.expectedStatus && lines.length > 0) {
        const text = lines.join("\n");
        console.log(`--- browser console of "${info.title}" [${info.project.name}] ---\n${text}`);
        await info.attach("browser-console", { body: text, contentType: "text/plain" });
      }
    },
    { auto: true },
  ],
});
