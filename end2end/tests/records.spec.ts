import { expect, test } from "./fixtures";
import { ready, signInAsPatient } from "./helpers";

test("the record switcher changes the selected record", async ({ page }, info) => {
  await signInAsPatient(page, info);
  const selected = page.getByTestId("selected-record");
  await expect(selected).toHaveText("Emma Carter");
  await ready(page, info);
  const switcher = page.getByLabel("Viewing");
  await switcher.selectOption({ label: "Lily Carter (you represent) · Harbor Pediatrics & Internal Medicine" });
  await page.getByRole("button", { name: "Switch" }).click();
  await expect(selected).toHaveText("Lily Carter");
  await expect(page.getByText("Lily Carter's record (you are their representative)")).toBeVisible();
  // The choice belongs to the session: it survives a reload.
  await page.reload();
  await expect(page.getByTestId("selected-record")).toHaveText("Lily Carter");
});
