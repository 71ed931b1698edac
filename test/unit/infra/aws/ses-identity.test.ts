import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthPortal } from '../../../support/synth-portal.js';

const sendStatement = (template: Template) =>
  JSON.stringify(
    Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('ses:SendEmail'),
    ),
  );

describe('SES identity', () => {
  it('is created in the data stack (retained outside dev) with DKIM records as outputs, so an app redeploy keeps it', () => {
    const portal = synthPortal({ stage: 'prod', mailFrom: 'Portal <alerts@portal.example.jp>' });
    const data = Template.fromStack(portal.data);
    const app = Template.fromStack(portal.service);

    data.hasResource('AWS::SES::EmailIdentity', {
      Properties: { EmailIdentity: 'portal.example.jp' },
      DeletionPolicy: 'Retain',
    });
    app.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(Object.keys(data.findOutputs('*')).filter((id) => id.includes('DkimRecord'))).toHaveLength(3);
    // The app stack names the identity by its domain: no export that would tie the two stacks.
    expect(sendStatement(app)).toContain(':identity/portal.example.jp');
    expect(JSON.stringify(app.toJSON())).not.toContain('MailIdentity');
  }, 120_000);

  it('is destroyed with the dev data stack', () => {
    const data = Template.fromStack(synthPortal().data);

    data.hasResource('AWS::SES::EmailIdentity', { DeletionPolicy: 'Delete' });
  }, 120_000);

  it('sets a custom MAIL FROM domain under the sender domain, and refuses one outside it', () => {
    const data = Template.fromStack(
      synthPortal({ mailFrom: 'alerts@portal.example.jp', sesMailFromDomain: 'bounce.portal.example.jp' }).data,
    );

    data.hasResourceProperties('AWS::SES::EmailIdentity', {
      MailFromAttributes: { MailFromDomain: 'bounce.portal.example.jp' },
    });
    expect(() =>
      synthPortal({ mailFrom: 'alerts@portal.example.jp', sesMailFromDomain: 'bounce.other.example.jp' }),
    ).toThrow(/sesMailFromDomain "bounce.other.example.jp" must be a subdomain of the sender's domain/);
  }, 120_000);

  it('is used by name when it already exists, so a second stage can share a verified domain', () => {
    const portal = synthPortal({
      stage: 'staging',
      mailFrom: 'alerts@portal.example.jp',
      sesIdentityExists: 'true',
    });
    const data = Template.fromStack(portal.data);
    const app = Template.fromStack(portal.service);

    data.resourceCountIs('AWS::SES::EmailIdentity', 0);
    app.resourceCountIs('AWS::SES::EmailIdentity', 0);
    expect(sendStatement(app)).toContain(':identity/portal.example.jp');
    app.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'chiiki-staging-alerts' });
  }, 120_000);
});
