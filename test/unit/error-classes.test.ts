/**
 * Keeps the error taxonomy in one place (STYLE.md rule 4): in the code that runs on Node
 * (shared/, functions/, infra/local, infra/cli) nothing throws a bare `Error` or the base
 * `AppError`, and no error class is declared outside shared/errors.ts. (That each error's `name` is its
 * class's, in a minified bundle too, is test/unit/infra/aws/error-names.test.ts.) A failure names the
 * file and line.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { listTs } from '../support/repo-files.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scannedFolders = ['shared', 'functions', 'infra/local', 'infra/cli'];
const skippedFolders = ['node_modules'];
const taxonomyFile = 'shared/errors.ts';
/** Names a `throw new …` must not use: they say nothing of what the caller should do. */
const unnamedErrors = new Set(['Error', 'AppError']);

/** The identifier a heritage clause or `new` expression names, when it is a plain one. */
function plainName(node: ts.Expression): string | undefined {
  return ts.isIdentifier(node) ? node.text : undefined;
}

/** Where `path` (as `source`) breaks the rule, as `path:line: what`. */
function errorRuleViolations(path: string, source: string): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isThrowStatement(node)) {
      const thrown = node.expression;
      if (
        (ts.isNewExpression(thrown) || ts.isCallExpression(thrown)) &&
        unnamedErrors.has(plainName(thrown.expression) ?? '')
      ) {
        at(node, `throws a bare ${plainName(thrown.expression)}; throw a class from ${taxonomyFile}`);
      }
    }
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && path !== taxonomyFile) {
      const base = node.heritageClauses
        ?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
        ?.types.map((type) => plainName(type.expression))[0];
      const name = node.name?.text ?? '(anonymous class)';
      if (name.endsWith('Error') || base?.endsWith('Error')) {
        at(node, `declares the error class ${name}; declare it in ${taxonomyFile}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('errors come from shared/errors.ts (STYLE.md rule 4)', () => {
  const files = scannedFolders.flatMap((folder) => listTs(root, folder, skippedFolders));

  it('scans the code that runs on Node', () => {
    expect(files).toEqual(expect.arrayContaining([taxonomyFile, 'infra/local/local-stack.ts', 'infra/cli/main.ts']));
  });

  it('has no bare throw and no error class outside the taxonomy', () => {
    const violations = files.flatMap((path) => errorRuleViolations(path, readFileSync(posix.join(root, path), 'utf8')));

    expect(violations, violations.join('\n')).toEqual([]);
  });
});

describe('the error rule checker', () => {
  it.each([
    ["throw new Error('boom');", 'throws a bare Error'],
    ["throw Error('boom');", 'throws a bare Error'],
    ["if (x) throw new AppError('boom');", 'throws a bare AppError'],
    ['class BodyRefused extends Error {}', 'declares the error class BodyRefused'],
    ['export class SearchBackendError extends AppError {}', 'declares the error class SearchBackendError'],
    ['const E = class extends TypeError {};', 'declares the error class (anonymous class)'],
    ['class ParseError {}', 'declares the error class ParseError'],
  ])('flags %s', (code, what) => {
    expect(errorRuleViolations('functions/x/y.ts', `\n${code}\n`)).toEqual([
      expect.stringMatching(new RegExp(`^functions/x/y\\.ts:2: ${what.replace(/[()]/g, '\\$&')}; `)),
    ]);
  });

  it.each([
    "throw new NotFoundError('no item');",
    'throw error;',
    "throw new RangeError('maxIds is 0');",
    "// throw new Error('in a comment')",
    'const text = "throw new Error(\'in a string\')";',
    'class Pacer extends Base {}',
  ])('passes %s', (code) => {
    expect(errorRuleViolations('functions/x/y.ts', code)).toEqual([]);
  });

  it('lets the taxonomy file declare classes', () => {
    expect(errorRuleViolations(taxonomyFile, 'export class GoodError extends AppError {}\n')).toEqual([]);
    expect(errorRuleViolations('shared/other.ts', 'export class GoodError extends AppError {}\n')).toHaveLength(1);
  });
});
