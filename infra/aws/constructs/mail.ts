import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ProjectFunction } from './project-function.js';

export interface MailProps {
  readonly stage: string;
  /** `Name <address>` or a bare address. */
  readonly mailFrom: string;
  /** The SES identity mail is sent from (its domain); created in the data stack (`MailIdentity`) or by hand. */
  readonly identityName: string;
  /** Key of the bounce/complaint topic (SES must be allowed to use it). */
  readonly topicKey: kms.IKey;
}

/**
 * Outgoing mail through SES from the data stack's identity (`MailIdentity`, so redeploying this
 * stack keeps DKIM): a configuration set that sends bounce, complaint and reject events to an SNS
 * topic, reputation metrics, and TLS required on delivery.
 */
export class Mail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly eventsTopic: sns.Topic;
  readonly mailFrom: string;
  readonly identityName: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.mailFrom = props.mailFrom;
    this.identityName = props.identityName;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `chiiki-${props.stage}-alerts`,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
    });
    this.eventsTopic = new sns.Topic(this, 'BounceTopic', {
      displayName: 'chiiki-portal SES bounces and complaints',
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('BounceAndComplaint', {
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
  }

  /** Lets `fn` send mail from the identity through the configuration set, and sets MAIL_* and SES_CONFIGURATION_SET. */
  bindMailer(fn: ProjectFunction): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.identityName }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
    fn.addEnvironment('MAIL_TRANSPORT', 'ses');
    fn.addEnvironment('MAIL_FROM', this.mailFrom);
    fn.addEnvironment('SES_CONFIGURATION_SET', this.configurationSet.configurationSetName);
  }
}
