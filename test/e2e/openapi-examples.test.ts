import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { FixedClock } from '../../shared/clock.js';

/**
 * The OpenAPI document tells the truth: it validates, and every example it gives for a parameter,
 * sent to the local stack after the sample sites are crawled, answers 200 with something in it.
 */
const clock = new FixedClock('2026-12-07T12:00:00+09:00');
let dataDir: string;
let stack: LocalStack;

interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly schema?: { examples?: unknown[]; example?: unknown; items?: { examples?: unknown[] } };
  readonly example?: unknown;
  readonly examples?: Record<string, { value?: unknown }>;
}
interface Operation {
  readonly parameters?: readonly Parameter[];
}

/** Every example of a parameter, in the places OpenAPI 3.1 allows one. */
function examplesOf(param: Parameter): unknown[] {
  return [
    ...(param.example === undefined ? [] : [param.example]),
    ...Object.values(param.examples ?? {}).map((e) => e.value),
    ...(param.schema?.example === undefined ? [] : [param.schema.example]),
    ...(param.schema?.examples ?? []),
    ...(param.schema?.items?.examples ?? []).map((e) => [e]),
  ];
}

/** A query string for one parameter value; arrays repeat the key (the document's form/explode style). */
function queryOf(name: string, value: unknown): string {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`).join('&');
}

/** What "non-empty" means per route: hits, feed entries or CSV rows. */
async function entriesIn(path: string, response: Response): Promise<number> {
  const text = await response.text();
  if (path.endsWith('.rss')) return (text.match(/<item>/g) ?? []).length;
  if (path.endsWith('.atom')) return (text.match(/<entry>/g) ?? []).length;
  if (path.endsWith('.csv')) return text.split('\r\n').filter((line) => line.length > 0).length - 1;
  const body = JSON.parse(text) as { items?: unknown[] };
  return body.items?.length ?? (Object.keys(body).length > 0 ? 1 : 0);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chiiki-openapi-examples-'));
  stack = await startLocalStack({ dataDir, port: 0, registry: 'sample', clock, schedule: false });
  await stack.firstCrawl;
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the served OpenAPI document', () => {
  it('passes swagger-parser validation', async () => {
    const document = (await (await fetch(`${stack.apiUrl}/v1/openapi.json`)).json()) as object;

    const validated = (await SwaggerParser.validate(document as never)) as { openapi?: string };

    expect(validated.openapi).toBe('3.1.0');
  });

  it('has examples that each return a non-empty 200 from the local stack', async () => {
    const document = (await (await fetch(`${stack.apiUrl}/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const checked: string[] = [];
    const failures: string[] = [];

    for (const [path, item] of Object.entries(document.paths)) {
      const get = item.get;
      if (!get) continue;
      for (const param of get.parameters ?? []) {
        for (const example of examplesOf(param)) {
          const url =
            param.in === 'path'
              ? path.replace(`{${param.name}}`, encodeURIComponent(String(example)))
              : `${path}?${queryOf(param.name, example)}`;
          const response = await fetch(`${stack.apiUrl}${url}`);
          const entries = response.status === 200 ? await entriesIn(path, response) : 0;
          checked.push(url);
          if (response.status !== 200 || entries === 0)
            failures.push(`${url} → ${response.status}, ${entries} entries`);
        }
      }
    }

    expect(failures).toEqual([]);
    // Four search-like routes (search, RSS, Atom, CSV), each with an example for every parameter but cursor.
    expect(checked.length).toBeGreaterThanOrEqual(4 * 13);
    expect(checked).toContain(`/v1/search?field=${encodeURIComponent('ライフサイエンス')}`);
    expect(checked).toContain(`/v1/search?prefecture=${encodeURIComponent('長野')}`);
    expect(checked).toContain(`/v1/search?region=${encodeURIComponent('中部')}`);
  });

  it('finds the same items for a name and its code', async () => {
    for (const [name, code] of [
      ['prefecture=長野県', 'prefecture=20'],
      ['region=中部', 'region=chubu'],
      ['field=ライフサイエンス', 'field=life-science'],
    ] as const) {
      const [byName, byCode] = await Promise.all(
        [name, code].map(async (q) => {
          const [key, value] = q.split('=') as [string, string];
          const body = (await (await fetch(`${stack.apiUrl}/v1/search?${queryOf(key, value)}&size=100`)).json()) as {
            total: number;
            items: { id: string }[];
          };
          return body;
        }),
      );
      expect(byName?.total, name).toBeGreaterThan(0);
      expect(byName?.items.map((i) => i.id)).toEqual(byCode?.items.map((i) => i.id));
    }
  });

  it('sorts by deadline with open calls first and closed calls after the upcoming ones', async () => {
    const body = (await (await fetch(`${stack.apiUrl}/v1/search?kind=call&sort=deadline&size=100`)).json()) as {
      items: { status: string; closesAt?: string; opensAt?: string }[];
    };

    const statuses = body.items.map((i) => i.status);
    const rank = { open: 0, upcoming: 1, closed: 2, unknown: 3 } as Record<string, number>;
    expect(statuses[0]).toBe('open');
    expect(statuses.map((s) => rank[s])).toEqual([...statuses.map((s) => rank[s] as number)].sort((a, b) => a - b));
    const open = body.items.filter((i) => i.status === 'open' && i.closesAt).map((i) => Date.parse(i.closesAt ?? ''));
    expect(open).toEqual([...open].sort((a, b) => a - b));
    const closed = body.items.filter((i) => i.status === 'closed').map((i) => Date.parse(i.closesAt ?? ''));
    expect(closed.length).toBeGreaterThan(0);
    expect(closed).toEqual([...closed].sort((a, b) => b - a));
  });

  it('narrows by who may apply and the ceiling, and sorts by the ceiling, on the crawled sample sites', async () => {
    const get = async (query: string) =>
      (await (await fetch(`${stack.apiUrl}/v1/search?${query}&size=100`)).json()) as {
        total: number;
        items: { id: string; applicants: string[]; amountCeiling?: number; forecast?: { text: string } }[];
        facets: { applicant: { value: string; count: number }[] };
      };

    const all = await get('kind=call');
    const universities = await get('kind=call&applicant=university');
    const ranged = await get('amountMin=1000000&amountMax=100000000');
    const byAmount = await get('kind=call&sort=amount');

    const facet = all.facets.applicant.find((f) => f.value === 'university');
    expect(universities.total).toBeGreaterThan(0);
    expect(universities.total).toBe(facet?.count);
    expect(universities.items.every((i) => i.applicants.includes('university'))).toBe(true);
    expect(ranged.total).toBeGreaterThan(0);
    expect(
      ranged.items.every((i) => (i.amountCeiling ?? -1) >= 1_000_000 && (i.amountCeiling ?? 0) <= 100_000_000),
    ).toBe(true);
    const ceilings = byAmount.items.map((i) => i.amountCeiling);
    const known = ceilings.filter((c): c is number => c !== undefined);
    expect(known.length).toBeGreaterThan(1);
    expect(ceilings.slice(0, known.length)).toEqual([...known].sort((a, b) => b - a));
  });
});
