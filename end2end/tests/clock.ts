/** The servers' clock starts here (PORTICO_CLOCK_START), a Tuesday afternoon, so that the
 * journeys see the same calendar whatever day they run on. */
export const clockStart = process.env.PORTICO_CLOCK_START ?? "2031-04-08T14:00:00Z";
