/** Weekly opening hours of a department, local wall-clock times: { mon: [["08:30","12:00"], …] }. */
export type OpeningHoursJson = Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>>;
