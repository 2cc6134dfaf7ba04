// A small client of the BackTrack API written against the types openapi-typescript makes from
// the committed document (`.ci/contract` type-checks it with `tsc --strict`; it is not run). It
// holds the contract to what an app developer relies on: each line fails to compile when the
// document stops saying it.
import type { components, operations, paths } from "./schema";

type Schemas = components["schemas"];
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Equal<A, B>): Equal<A, B> => proof;

// A time zone is a string the server checks, not a frozen list: whatever the phone reports fits.
const phoneZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone;
const zone: Schemas["TimeZone"] = phoneZone;
const signUpZone: Schemas["RegisterRequest"]["time_zone"] = zone;

// One set of red-flag answers for sign-up, booking and check-in.
same<Schemas["RegisterRequest"]["red_flags"], Schemas["RedFlagAnswers"] | undefined>(true);
same<Schemas["CheckInRequest"]["red_flags"], Schemas["RedFlagAnswers"] | undefined>(true);
same<Exclude<Schemas["BookRequest"]["red_flags"], null>, Schemas["RedFlagAnswers"] | undefined>(true);

// Every operation by its own name.
type Operation = keyof operations;
const named: Operation[] = [
  "listAppointments",
  "listExercises",
  "listWaitlist",
  "listMyAppointments",
  "getMyProgram",
  "getPatientProgressPng",
  "bookAppointment",
];

// The program in force, fetched again only when it changed (ETag / If-None-Match).
type MyProgram = operations["getMyProgram"];
type Etag = NonNullable<MyProgram["responses"][200]["headers"]["ETag"]>;
type IfNoneMatch = NonNullable<NonNullable<MyProgram["parameters"]["header"]>["If-None-Match"]>;
same<Etag, string>(true);

async function myProgram(
  base: string,
  token: string,
  cached?: { etag: IfNoneMatch; program: Schemas["Program"] },
): Promise<{ etag: Etag; program: Schemas["Program"] }> {
  const path: keyof paths = "/v1/me/program";
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (cached) headers["If-None-Match"] = cached.etag;
  const response = await fetch(base + path, { headers });
  const etag: Etag = response.headers.get("ETag") ?? "";
  if (response.status === 304 && cached) return { etag, program: cached.program };
  const program: MyProgram["responses"][200]["content"]["application/json"] = await response.json();
  return { etag, program };
}

// The progress chart is a body, as an image or as plain bytes.
type Chart = operations["getPatientProgressPng"]["responses"][200]["content"];
const chartTypes: (keyof Chart)[] = ["image/png", "application/octet-stream"];

// Weekdays are ISO numbers; a reused Idempotency-Key is a problem code of its own.
const plan: Schemas["ProgramRequest"]["weekdays"] = [1, 3, 5];
function isReusedKey(problem: Schemas["Problem"]): boolean {
  return problem.status === 422 && problem.code === "idempotency_key_reused";
}

export { chartTypes, isReusedKey, myProgram, named, plan, signUpZone };
