/**
 * Enforces the module boundaries listed in docs/style.md by scanning the import specifiers of
 * every .ts file under shared/, functions/, infra/ and portal/. A failure names the file and line, the import
 * and the rule it breaks. It also fails on any import cycle among the files of functions/ and
 * shared/. Treat it like a type error: fix the import, do not loosen the rule.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listTs } from '../support/repo-files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scannedFolders = ['shared', 'functions', 'infra', 'portal'];
const skippedFolders = ['portal/dist', 'node_modules', 'cdk.out'];

// ---- what a file is -------------------------------------------------------------------------

/** Port interfaces: the contracts adapters implement. */
const portFiles = [
  'shared/store/item-store.ts',
  'shared/store/subscription-store.ts',
  'shared/store/series-store.ts',
  'shared/search/search-index.ts',
  'shared/search/query.ts',
  'shared/mail/mailer.ts',
  'functions/crawl/fetch/http-fetcher.ts',
];

/**
 * Adapters (docs/style.md) are the files in shared/store|search|mail that are not ports and either
 * are named technology + port (`dynamodb-item-store.ts`, `ses-mailer.ts`) or talk to the outside
 * themselves: they import a service SDK or do I/O (`opensearch-client.ts`). The rest there are
 * model files (query, cursor, analysis, rendering, table keys) that anyone may import.
 */
const adapterNamePattern =
  /^shared\/(store|search|mail)\/[a-z0-9-]+-(item-store|subscription-store|series-store|search-index|mailer)\.ts$/u;
const ioModules = /^(node:)?(fs|fs\/promises|net|http|https|http2|dns|tls|child_process)$|^undici$/u;

/** Classifies the scanned files once; `isAdapter` answers for any path. */
interface Context {
  readonly isAdapter: (file: string) => boolean;
}

function contextFor(files: readonly { path: string; source: string }[]): Context {
  const adapters = new Set<string>();
  for (const { path, source } of files) {
    if (!/^shared\/(store|search|mail)\//u.test(path) || isPort(path)) continue;
    const touchesOutside = importsOf(path, source).some(
      (ref) => ref.target === undefined && (isSdk(ref.specifier) || ioModules.test(ref.specifier)),
    );
    if (adapterNamePattern.test(path) || touchesOutside) adapters.add(path);
  }
  return { isAdapter: (file) => adapters.has(file) || adapterNamePattern.test(file) };
}

function isPort(file: string): boolean {
  return portFiles.includes(file);
}

/** Service SDKs and clients: what only adapters, wiring and the local stack may touch. */
function isSdk(specifier: string): boolean {
  return /^(@aws-sdk\/|@smithy\/|@opensearch-project\/|nodemailer(\/|$)|dynalite$)/u.test(specifier);
}

function isCdk(specifier: string): boolean {
  return /^(aws-cdk-lib(\/|$)|constructs$|cdk-nag$)/u.test(specifier);
}

/** `functions/<fn>/...` → `<fn>`. */
function functionOf(file: string): string | undefined {
  return /^functions\/([^/]+)\//u.exec(file)?.[1];
}

/**
 * The files of a function that may touch an SDK and shared/wiring: its `wiring.ts` and its
 * `handler*.ts`, at the top of `functions/<fn>/`. A name like `wiring-sqs-queue.ts` or a
 * `wiring.ts` in a subfolder is a plain function file.
 */
function isHandlerOrWiring(file: string): boolean {
  return /^functions\/[^/]+\/(wiring|handler[^/]*)\.ts$/u.test(file);
}

// ---- imports ----------------------------------------------------------------------------------

interface ImportRef {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** Repository path of a relative import (`.js` read as `.ts`); undefined for packages. */
  readonly target?: string;
}

function importsOf(file: string, source: string): ImportRef[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((ref) => {
    const line = source.slice(0, ref.pos).split('\n').length;
    const specifier = ref.fileName;
    if (!specifier.startsWith('.')) return { file, line, specifier };
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/u, '.ts');
    return { file, line, specifier, target };
  });
}

// ---- the table ---------------------------------------------------------------------------------

interface Rule {
  readonly id: string;
  /** The rule as a reader should understand it; printed on every violation. */
  readonly text: string;
  readonly appliesTo: (file: string, ctx: Context) => boolean;
  /** True when the import breaks the rule. */
  readonly breaks: (ref: ImportRef, ctx: Context) => boolean;
}

const pureFolder = /^shared\/(domain|ja|taxonomy)\//u;

const rules: readonly Rule[] = [
  {
    id: 'pure-core',
    text: 'shared/domain, shared/ja and shared/taxonomy import only each other, shared/errors.ts and zod (node:crypto only in shared/domain, for ids); no ports, adapters, SDKs, node:fs or network',
    appliesTo: (file) => pureFolder.test(file),
    breaks: (ref) => {
      if (ref.target !== undefined) return !(pureFolder.test(ref.target) || ref.target === 'shared/errors.ts');
      if (ref.specifier === 'zod') return false;
      return !(ref.specifier === 'node:crypto' && ref.file.startsWith('shared/domain/'));
    },
  },
  {
    id: 'ports',
    text: 'a port (item-store.ts, subscription-store.ts, series-store.ts, search-index.ts, query.ts, mailer.ts, http-fetcher.ts) imports no adapter and no SDK',
    appliesTo: isPort,
    breaks: (ref, ctx) => (ref.target !== undefined ? ctx.isAdapter(ref.target) : isSdk(ref.specifier)),
  },
  {
    id: 'adapters',
    text: 'an adapter (a file in shared/store|search|mail that is named <technology>-<port>.ts or uses an SDK or I/O) imports no other adapter and nothing from functions/ or infra/',
    appliesTo: (file, ctx) => ctx.isAdapter(file),
    breaks: (ref, ctx) =>
      ref.target !== undefined &&
      (/^(functions|infra)\//u.test(ref.target) ||
        (ctx.isAdapter(ref.target) && !sameTechnology(ref.file, ref.target))),
  },
  {
    id: 'shared-models',
    text: 'a model file beside the ports (shared/store|search|mail, neither port nor adapter) imports no adapter',
    appliesTo: (file, ctx) => /^shared\/(store|search|mail)\//u.test(file) && !isPort(file) && !ctx.isAdapter(file),
    breaks: (ref, ctx) => ref.target !== undefined && ctx.isAdapter(ref.target),
  },
  {
    id: 'shared-not-upward',
    text: 'nothing in shared/ imports from functions/ or infra/',
    appliesTo: (file) => file.startsWith('shared/'),
    breaks: (ref) => ref.target !== undefined && /^(functions|infra)\//u.test(ref.target),
  },
  {
    id: 'function-logic',
    text: 'a file of functions/<fn>/ other than its top-level wiring.ts and handler*.ts imports no adapter, no SDK and no aws-lambda types (take ports as arguments)',
    appliesTo: (file) => functionOf(file) !== undefined && !isHandlerOrWiring(file),
    breaks: (ref, ctx) =>
      ref.target !== undefined ? ctx.isAdapter(ref.target) : isSdk(ref.specifier) || ref.specifier === 'aws-lambda',
  },
  {
    id: 'wiring-only',
    text: 'shared/wiring (adapter choice from config) is imported only by functions/<fn>/wiring.ts and functions/<fn>/handler*.ts, infra/ and shared/wiring itself',
    appliesTo: (file) =>
      !(
        file.startsWith('infra/') ||
        file.startsWith('shared/wiring/') ||
        (functionOf(file) !== undefined && isHandlerOrWiring(file))
      ),
    breaks: (ref) => ref.target !== undefined && ref.target.startsWith('shared/wiring/'),
  },
  {
    id: 'function-isolation',
    text: "a function imports no other function's folder; functions/middleware is the shared exception",
    appliesTo: (file) => functionOf(file) !== undefined,
    breaks: (ref) => {
      if (ref.target === undefined) return false;
      const other = functionOf(ref.target);
      return other !== undefined && other !== 'middleware' && other !== functionOf(ref.file);
    },
  },
  {
    id: 'infra-aws',
    text: 'infra/aws imports no adapter and no SDK client (only aws-cdk-lib, constructs, handler paths and pure constants)',
    appliesTo: (file) => file.startsWith('infra/aws/'),
    breaks: (ref, ctx) => (ref.target !== undefined ? ctx.isAdapter(ref.target) : isSdk(ref.specifier)),
  },
  {
    id: 'portal-browser',
    text: "portal/src (the page's browser code) imports its own files, the pure core and functions/api's schemas, no node: module and no package but zod; it reaches the API over HTTP",
    appliesTo: (file) => file.startsWith('portal/src/'),
    breaks: (ref) =>
      ref.target !== undefined
        ? !(
            ref.target.startsWith('portal/src/') ||
            pureFolder.test(ref.target) ||
            ref.target === 'functions/api/schemas.ts'
          )
        : ref.specifier !== 'zod',
  },
  {
    id: 'infra-local',
    text: 'infra/local imports no aws-cdk-lib',
    appliesTo: (file) => file.startsWith('infra/local/'),
    breaks: (ref) => ref.target === undefined && isCdk(ref.specifier),
  },
];

/**
 * Parts of one adapter may import each other: files of the same technology (the prefix before the
 * first dash: `opensearch-search-index.ts` uses `opensearch-client.ts`).
 */
function sameTechnology(a: string, b: string): boolean {
  const tech = (file: string): string => posix.basename(file).split('-')[0] ?? file;
  return posix.dirname(a) === posix.dirname(b) && tech(a) === tech(b);
}

/**
 * Known violations, recorded so the suite stays green while they are fixed; each says what has to
 * change. Only these exact file + import + rule triples pass; the rule itself is not loosened, and
 * any new violation fails. Delete an entry once its file is fixed.
 */
const knownViolations: readonly { file: string; specifier: string; rule: string; why: string }[] = [];

/** One broken rule, phrased for the failure message. */
function describeViolation(ref: ImportRef, rule: Rule): string {
  return `${ref.file}:${ref.line} imports '${ref.specifier}' — breaks ${rule.id}: ${rule.text}`;
}

function isKnown(ref: ImportRef, rule: Rule): boolean {
  return knownViolations.some((k) => k.file === ref.file && k.specifier === ref.specifier && k.rule === rule.id);
}

function checkFiles(
  files: readonly { path: string; source: string }[],
  table: readonly Rule[] = rules,
  options: { skipKnown?: boolean } = {},
): string[] {
  const ctx = contextFor(files);
  const violations: string[] = [];
  for (const { path, source } of files) {
    const applicable = table.filter((rule) => rule.appliesTo(path, ctx));
    if (applicable.length === 0) continue;
    for (const ref of importsOf(path, source)) {
      for (const rule of applicable) {
        if (rule.breaks(ref, ctx) && !(options.skipKnown && isKnown(ref, rule)))
          violations.push(describeViolation(ref, rule));
      }
    }
  }
  return violations;
}

// ---- import cycles -----------------------------------------------------------------------------

/** Folders that must form an acyclic import graph: a cycle there means two modules that cannot be read apart. */
const acyclicFolders = /^(functions|shared)\//u;

/**
 * Import cycles among the given files, one per strongly connected group of files, each written as
 * a closed path (`a.ts → b.ts → a.ts`). Every import counts, `import type` and `import()` included:
 * a cycle of types still ties the files together. Imports of files outside the set are ignored.
 */
function importCycles(files: readonly { path: string; source: string }[]): string[] {
  const graph = new Map<string, string[]>();
  for (const { path } of files) graph.set(path, []);
  for (const { path, source } of files) {
    const targets = importsOf(path, source).flatMap((ref) =>
      ref.target !== undefined && graph.has(ref.target) ? [ref.target] : [],
    );
    graph.set(path, [...new Set(targets)]);
  }
  return stronglyConnected(graph)
    .filter((group) => group.length > 1 || (graph.get(group[0] ?? '') ?? []).includes(group[0] ?? ''))
    .map((group) => cyclePath(graph, group).join(' → '));
}

/** Tarjan's algorithm: the strongly connected groups of a directed graph. */
function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!order.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, order.get(target) ?? 0));
      }
    }
    if (low.get(node) !== order.get(node)) return;
    const group: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    groups.push(group);
  };
  for (const node of [...graph.keys()].sort()) if (!order.has(node)) visit(node);
  return groups;
}

/**
 * A shortest closed path through the group, from its first file in sort order back to it (a
 * breadth-first search inside the group; `cameFrom` leads every reached file back to the start).
 */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, group: readonly string[]): string[] {
  const members = new Set(group);
  const start = [...group].sort()[0] ?? '';
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i += 1) {
    const node = queue[i] ?? '';
    for (const target of graph.get(node) ?? []) {
      if (target === start) {
        const path = [node];
        for (let at = cameFrom.get(node); at !== undefined; at = cameFrom.get(at)) path.unshift(at);
        return [...path, start];
      }
      if (members.has(target) && !cameFrom.has(target) && target !== start) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...group, group[0] ?? ''];
}

// ---- the repository ----------------------------------------------------------------------------

const repoFiles = scannedFolders
  .flatMap((folder) => listTs(root, folder, skippedFolders))
  .map((path) => ({ path, source: readFileSync(posix.join(root, path), 'utf8') }));

describe('module boundaries (docs/style.md)', () => {
  it('scans the source tree', () => {
    expect(repoFiles.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'shared/domain/item.ts',
        'shared/ja/deadline.ts',
        'functions/crawl/fetch/http-fetcher.ts',
      ]),
    );
  });

  it.each(rules.map((rule) => [rule.id, rule] as const))('holds rule %s', (_id, rule) => {
    const violations = checkFiles(repoFiles, [rule], { skipKnown: true });

    expect(violations, `imports that break the module-boundary table:\n${violations.join('\n')}`).toEqual([]);
  });
});

describe('import cycles', () => {
  it('finds none in functions/ and shared/', () => {
    const cycles = importCycles(repoFiles.filter((f) => acyclicFolders.test(f.path)));

    expect(
      cycles,
      `import cycles (move what both sides need into a module both import):\n${cycles.join('\n')}`,
    ).toEqual([]);
  });

  it('reports a cycle through three files as a closed path, type-only imports included', () => {
    const cycles = importCycles([
      { path: 'functions/api/openapi.ts', source: "import { ChangeBodySchema } from './subscription-routes.js';" },
      { path: 'functions/api/subscription-routes.ts', source: "import type { ApiRoute } from './routes.js';" },
      { path: 'functions/api/routes.ts', source: "import { openApiDocument } from './openapi.js';" },
      { path: 'functions/api/schemas.ts', source: "import * as z from 'zod';" },
    ]);

    expect(cycles).toEqual([
      'functions/api/openapi.ts → functions/api/subscription-routes.ts → functions/api/routes.ts → functions/api/openapi.ts',
    ]);
  });

  it('reports a file that imports itself and a cycle through a dynamic import', () => {
    const cycles = importCycles([
      { path: 'shared/a.ts', source: "export * from './a.js';" },
      { path: 'shared/b.ts', source: "const c = await import('./c.js');" },
      { path: 'shared/c.ts', source: "import { b } from './b.js';" },
    ]);

    expect(cycles.sort()).toEqual(['shared/a.ts → shared/a.ts', 'shared/b.ts → shared/c.ts → shared/b.ts']);
  });

  it('accepts shared imports that do not loop back (a diamond)', () => {
    const cycles = importCycles([
      { path: 'functions/api/openapi.ts', source: "import { a } from './schemas.js';" },
      { path: 'functions/api/subscription-routes.ts', source: "import { a } from './schemas.js';" },
      {
        path: 'functions/api/routes.ts',
        source: "import { o } from './openapi.js';\nimport { s } from './subscription-routes.js';",
      },
      { path: 'functions/api/schemas.ts', source: "import { y } from '../../shared/domain/item.js';" },
    ]);

    expect(cycles).toEqual([]);
  });
});

describe('the boundary checker', () => {
  it.each([
    ['shared/ja/x.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", 'pure-core'],
    ['shared/domain/x.ts', "import { readFileSync } from 'node:fs';", 'pure-core'],
    ['shared/taxonomy/x.ts', "import type { ItemStore } from '../store/item-store.js';", 'pure-core'],
    ['shared/ja/x.ts', "import { createHash } from 'node:crypto';", 'pure-core'],
    ['shared/search/search-index.ts', "import { x } from './embedded-search-index.js';", 'ports'],
    ['shared/store/item-store.ts', "import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';", 'ports'],
    ['shared/mail/ses-mailer.ts', "import { smtp } from './smtp-mailer.js';", 'adapters'],
    ['shared/store/dynamodb-item-store.ts', "import { deps } from '../../functions/api/wiring.js';", 'adapters'],
    ['shared/mail/render.ts', "import { x } from './ses-mailer.js';", 'shared-models'],
    ['shared/log.ts', "import { x } from '../infra/local/local-stack.js';", 'shared-not-upward'],
    [
      'functions/api/get-item.ts',
      "import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';",
      'function-logic',
    ],
    ['functions/api/routes.ts', "import type { APIGatewayProxyEventV2 } from 'aws-lambda';", 'function-logic'],
    [
      'functions/crawl/extract/feed.ts',
      "const sdk = await import('@opensearch-project/opensearch');",
      'function-logic',
    ],
    ['functions/alerts/digest.ts', "import { searchItems } from '../api/search-items.js';", 'function-isolation'],
    ['functions/api/handler.ts', "import { crawl } from '../crawl/crawl-source.js';", 'function-isolation'],
    ['functions/alerts/digest.ts', "import { mailerFor } from '../../shared/wiring/mail.js';", 'wiring-only'],
    ['functions/crawl/wiring-sqs-queue.ts', "import { SQSClient } from '@aws-sdk/client-sqs';", 'function-logic'],
    [
      'functions/crawl/wiring-sqs-queue.ts',
      "import { sendSqsBatches } from '../../shared/wiring/sqs-batch-sender.js';",
      'wiring-only',
    ],
    ['functions/crawl/run/wiring.ts', "import { SQSClient } from '@aws-sdk/client-sqs';", 'function-logic'],
    ['functions/indexer/reindex-handler.ts', "import { traced } from '../../shared/wiring/tracer.js';", 'wiring-only'],
    ['shared/subscriptions/links.ts', "import { mailerFor } from '../wiring/mail.js';", 'wiring-only'],
    ['infra/aws/data-stack.ts', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", 'infra-aws'],
    [
      'infra/aws/api-stack.ts',
      "import { OpenSearchSearchIndex } from '../../shared/search/opensearch-search-index.js';",
      'infra-aws',
    ],
    ['infra/local/local-stack.ts', "import { Stack } from 'aws-cdk-lib';", 'infra-local'],
  ])('reports %s importing %s as breaking %s', (path, source, ruleId) => {
    const violations = checkFiles([{ path, source }]);

    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.startsWith(`${path}:1 imports '`))).toBe(true);
    expect(violations.some((v) => v.includes(`breaks ${ruleId}: `))).toBe(true);
  });

  it.each([
    ['shared/ja/deadline.ts', "import { InvalidInputError } from '../errors.js';\nimport { z } from 'zod';"],
    [
      'shared/domain/item.ts',
      "import { createHash } from 'node:crypto';\nimport { regionOf } from '../taxonomy/regions.js';",
    ],
    ['functions/api/wiring.ts', "import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';"],
    [
      'functions/api/handler.ts',
      "import type { APIGatewayProxyEventV2 } from 'aws-lambda';\nimport { x } from '../middleware/cors.js';",
    ],
    [
      'functions/crawl/run/crawl-source.ts',
      "import type { ItemStore } from '../../../shared/store/item-store.js';\nimport { a } from '../extract/feed.js';",
    ],
    [
      'shared/store/dynamodb-item-store.ts',
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nimport { pk } from './keys.js';",
    ],
    ['infra/local/local-stack.ts', "import { DynamoDbItemStore } from '../../shared/store/dynamodb-item-store.js';"],
    ['functions/api/wiring.ts', "import { mailerFor } from '../../shared/wiring/mail.js';"],
    [
      'infra/aws/app.ts',
      "import { Stack } from 'aws-cdk-lib';\nimport { regions } from '../../shared/taxonomy/regions.js';",
    ],
  ])('accepts %s importing what the table allows', (path, source) => {
    expect(checkFiles([{ path, source }])).toEqual([]);
  });

  it('treats a file beside the ports that uses an SDK as an adapter, whatever its name', () => {
    const files = [
      {
        path: 'shared/search/opensearch-client.ts',
        source: "import { Client } from '@opensearch-project/opensearch';",
      },
      {
        path: 'functions/indexer/apply-change.ts',
        source: "import { client } from '../../shared/search/opensearch-client.js';",
      },
      { path: 'shared/search/cursor.ts', source: "import { z } from 'zod';" },
      {
        path: 'functions/api/search-items.ts',
        source: "import { decodeCursor } from '../../shared/search/cursor.js';",
      },
    ];

    expect(checkFiles(files)).toEqual([
      `functions/indexer/apply-change.ts:1 imports '../../shared/search/opensearch-client.js' — breaks function-logic: ${rules.find((r) => r.id === 'function-logic')?.text ?? ''}`,
    ]);
  });

  it('names the line of the offending import', () => {
    const violations = checkFiles([
      { path: 'shared/ja/x.ts', source: "import { z } from 'zod';\n\nimport { a } from 'undici';" },
    ]);

    expect(violations).toEqual([
      `shared/ja/x.ts:3 imports 'undici' — breaks pure-core: ${rules.find((r) => r.id === 'pure-core')?.text ?? ''}`,
    ]);
  });
});
