import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../shared/clock.js';
import type { Log } from '../../shared/log.js';
import { startSampleSiteServer, type SampleSiteServer } from './sample-site-server.js';

/** The sample sites `npm start` serves and crawls. */
const sampleSitesRoot = fileURLToPath(new URL('./sample-sites/', import.meta.url));

/**
 * Item ids come from canonical URLs, and the sample sites' URLs carry the server's port, so the
 * port must survive restarts or every restart would crawl "new" items. The first start picks a
 * port it is given (0: a free one) and writes it to `dataDir/sample-sites.port`; later starts reuse it.
 */
export async function startSampleSitesOnKeptPort(
  dataDir: string,
  firstPort: number,
  clock: Clock,
  log: Log,
): Promise<SampleSiteServer> {
  const portFile = join(dataDir, 'sample-sites.port');
  const kept = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8').trim()) : firstPort;
  let server: SampleSiteServer;
  try {
    server = await startSampleSiteServer({ root: sampleSitesRoot, clock, port: Number.isInteger(kept) ? kept : 0 });
  } catch (error) {
    log.warn('sample-site port taken; sample items will get new ids', { port: kept, error });
    server = await startSampleSiteServer({ root: sampleSitesRoot, clock });
  }
  writeFileSync(portFile, `${server.port}\n`);
  return server;
}
