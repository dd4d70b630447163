/**
 * When distribution releases stop getting security fixes (the end of all public support, LTS
 * included for Debian, standard support for Ubuntu, the branch's end for Alpine). Read from
 * debian.org/releases, wiki.debian.org/LTS, ubuntu.com/about/release-cycle and
 * alpinelinux.org/releases on 2026-11-22; add rows as releases ship.
 */
export const eolDates: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Debian: { '8': '2020-06-30', '9': '2022-06-30', '10': '2024-06-30', '11': '2026-08-31', '12': '2028-06-30', '13': '2030-06-30' },
  Ubuntu: { '16.04': '2021-04-30', '18.04': '2023-05-31', '20.04': '2025-05-29', '22.04': '2027-06-01', '24.04': '2029-05-31' },
  Alpine: {
    'v3.14': '2023-05-01', 'v3.15': '2023-11-01', 'v3.16': '2024-05-23', 'v3.17': '2024-11-22', 'v3.18': '2025-05-09',
    'v3.19': '2025-11-01', 'v3.20': '2026-04-01', 'v3.21': '2026-11-01', 'v3.22': '2027-05-01',
  },
};

/** The end-of-life date (YYYY-MM-DD) of a release when it is past at `now`; undefined otherwise or when unknown. */
export function pastEndOfLife(ecosystem: string, release: string, now: Date): string | undefined {
  const date = eolDates[ecosystem]?.[release];
  return date !== undefined && Date.parse(`${date}T00:00:00Z`) <= now.getTime() ? date : undefined;
}
