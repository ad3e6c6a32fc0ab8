import fs from "node:fs";
import path from "node:path";

/** Run `run` holding the lock `name`, which journeys in both projects (and both workers) share. */
export async function exclusively<T>(name: string, run: () => Promise<T>): Promise<T> {
  const lock = path.resolve(__dirname, `../../target/e2e-${name}.lock`);
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A run that was killed mid-journey leaves its lock behind; no journey holds it this long.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 90_000) fs.rmSync(lock, { recursive: true, force: true });
      if (i > 1_200) throw new Error(`${lock} is stuck`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await run();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A small JSON file of this run's shared state (one per database, so the SQLite and the
 * PostgreSQL runs never see each other's). */
export function runFile(name: string): string {
  const db = (process.env.E2E_DATABASE_URL ?? "sqlite:target/e2e.db").replace(/[^A-Za-z0-9]+/g, "_");
  return path.resolve(__dirname, `../../target/e2e-${name}-${db}.lock`);
}

export function readRunFile<T>(name: string): Record<string, T> {
  try {
    return JSON.parse(fs.readFileSync(runFile(name), "utf8"));
  } catch {
    return {};
  }
}

/** Written whole and renamed into place, so a reader never sees half a file. */
export function writeRunFile<T>(name: string, value: Record<string, T>) {
  const file = runFile(name);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value));
  fs.renameSync(`${file}.tmp`, file);
}
