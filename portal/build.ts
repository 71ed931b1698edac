/**
 * Builds the reference portal (index.html, sources.html, styles.css, favicon.svg and the bundled scripts) into
 * `dist/`, which the local stack serves at `/` and the CDK site stack can upload as static files.
 *
 * The command line type-checks the browser code first (tsconfig.json here, with the DOM library).
 *
 *   npx tsx portal/build.ts                       same-origin API (the local stack)
 *   npx tsx portal/build.ts --api-base https://api.example.jp
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Plugin } from 'esbuild';
import { ApplicantTypeSchema, applicantLabel } from '../shared/domain/applicant.js';
import { renderPortalPage } from './page.js';

/** The portal's source folder. */
export const portalRoot = fileURLToPath(new URL('./', import.meta.url));
/** Where `buildPortal` writes by default. */
export const portalDist = join(portalRoot, 'dist');

const pages = ['index.html', 'sources.html'] as const;
/** The stylesheet's parts, in order (each file stays small enough to read). */
const stylesheets = ['styles.css', 'mail-pages.css'] as const;

export interface PortalBuildOptions {
  /** Output folder; default `dist/` beside this file. */
  readonly outDir?: string;
  /** Origin of the API when the page is served elsewhere (CloudFront); empty means same origin. */
  readonly apiBase?: string;
}

export interface PortalBuild {
  readonly outDir: string;
  /** Bytes per written file (name relative to outDir). */
  readonly files: Readonly<Record<string, number>>;
}

/**
 * Bundles src/main.ts and src/sources.ts with esbuild (minified, ES2022, no source maps) and copies
 * the pages (with their shared head, page.ts), the stylesheet and the icon. The API base goes into a
 * `<meta name="chiiki-api">` tag.
 * Throws when esbuild is missing (it is a devDependency) or a source file does not compile.
 */
export async function buildPortal(options: PortalBuildOptions = {}): Promise<PortalBuild> {
  const outDir = options.outDir ?? portalDist;
  const apiBase = (options.apiBase ?? '').replace(/\/$/, '');
  if (apiBase !== '' && !/^https?:\/\/[^/\s"<>]+$/.test(apiBase))
    throw new Error(`api base ${JSON.stringify(apiBase)} is not an origin; expected e.g. https://api.example.jp`);
  const { build } = await import('esbuild');
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  const result = await build({
    entryPoints: { main: join(portalRoot, 'src/main.ts'), sources: join(portalRoot, 'src/sources.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    outdir: join(outDir, 'assets'),
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
    plugins: [wordsAsData],
  });
  const outputs: [string, Uint8Array | string][] = result.outputFiles.map((file) => [
    `assets/${file.path.split(/[\\/]/).pop() ?? ''}`,
    file.contents,
  ]);
  // One stylesheet from its parts: the portal's pages, then the pages behind the links in mails.
  const styles = stylesheets.map((name) => readFileSync(join(portalRoot, name), 'utf8')).join('\n');
  outputs.push(['assets/styles.css', styles]);
  outputs.push(['favicon.svg', readFileSync(join(portalRoot, 'favicon.svg'))]);
  for (const page of pages) {
    const html = renderPortalPage(portalRoot, page).replace(
      '<meta name="chiiki-api" content="">',
      `<meta name="chiiki-api" content="${apiBase}">`,
    );
    outputs.push([page, html]);
  }
  const files: Record<string, number> = {};
  for (const [name, contents] of outputs) {
    // Write then rename: a server in another process never reads a half-written file.
    const target = join(outDir, name);
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, contents);
    renameSync(temp, target);
    files[name] = Buffer.byteLength(contents);
  }
  return { outDir, files };
}

/**
 * The applicant taxonomy (shared/domain/applicant.ts) defines its words beside zod schemas and
 * patterns; the page needs only the words. The bundle gets `applicantLabel` over a table evaluated
 * here, so the taxonomy stays the one source of the words and zod (~90 KB) stays out of the page.
 * Any other import of that module fails the build ("No matching export").
 */
const wordsAsData: Plugin = {
  name: 'applicant-words',
  setup(build) {
    build.onResolve({ filter: /\/shared\/domain\/applicant\.js$/ }, (args) => ({
      path: args.path,
      namespace: 'applicant-words',
    }));
    build.onLoad({ filter: /.*/, namespace: 'applicant-words' }, () => {
      const words = Object.fromEntries(ApplicantTypeSchema.options.map((type) => [type, applicantLabel(type)]));
      return {
        loader: 'js',
        contents: `const words = ${JSON.stringify(words)};\nexport function applicantLabel(type) { return words[type]; }\n`,
      };
    });
  },
};

/** Type-checks the portal's browser code (its own tsconfig with the DOM library); throws on errors. */
function typecheckPortal(): void {
  execFileSync(
    process.execPath,
    [join(portalRoot, '../node_modules/typescript/bin/tsc'), '-p', join(portalRoot, 'tsconfig.json'), '--noEmit'],
    {
      stdio: 'inherit',
    },
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { 'api-base': { type: 'string' }, out: { type: 'string' } } });
  try {
    typecheckPortal();
  } catch {
    console.error('portal build failed: the browser code does not type-check (see above)');
    process.exit(1);
  }
  buildPortal({ apiBase: values['api-base'], outDir: values.out }).then(
    (built) => {
      for (const [name, bytes] of Object.entries(built.files)) console.log(`${name.padEnd(24)} ${bytes} B`);
      console.log(`portal built into ${built.outDir}`);
    },
    (error: unknown) => {
      console.error(`portal build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
