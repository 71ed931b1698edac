/**
 * CDK entry point (cdk.json: `npx tsx infra/aws/app.ts`). Settings from context, e.g.
 * `npx cdk deploy --all -c stage=prod -c alarmEmail=ops@example.jp`; none gives the dev stage.
 */
import { createPortalApp } from './portal-app.js';

createPortalApp().app.synth();
