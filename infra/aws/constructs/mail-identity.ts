import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { senderAddress } from '../config.js';

export interface MailIdentityProps {
  /** `Name <address>` or a bare address; its domain becomes the identity. */
  readonly mailFrom: string;
  /**
   * The identity already exists in this account and region (verified by hand or by another
   * stage): nothing is created, the mail setup uses it by name.
   * @default false
   */
  readonly exists?: boolean;
  /** Custom MAIL FROM domain (a subdomain of the sender's domain). @default - SES's own (amazonses.com) */
  readonly mailFromDomain?: string;
  /** Keep the identity (and so its DKIM keys) when the stack is deleted. @default false */
  readonly retainData?: boolean;
}

/**
 * The SES domain identity mail is sent from. It lives in the data stack, so destroying and
 * redeploying the app stack keeps its DKIM keys and the DNS records already published; a stage
 * that shares a verified domain imports it by name (`exists`).
 */
export class MailIdentity extends Construct {
  /** The domain (or address) of the identity; SES identity ARNs end with it. */
  readonly identityName: string;
  /** Absent when the identity is imported by name. */
  readonly identity?: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: MailIdentityProps) {
    super(scope, id);
    const address = senderAddress(props.mailFrom);
    this.identityName = address.split('@')[1] ?? address;
    if (props.mailFromDomain && !props.mailFromDomain.endsWith(`.${this.identityName}`))
      throw new Error(
        `sesMailFromDomain "${props.mailFromDomain}" must be a subdomain of the sender's domain "${this.identityName}"`,
      );
    if (props.exists) return;
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(this.identityName),
      ...(props.mailFromDomain ? { mailFromDomain: props.mailFromDomain } : {}),
    });
    this.identity.applyRemovalPolicy(props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY);
    for (const [n, name, value] of [
      [1, this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1],
      [2, this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2],
      [3, this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3],
    ] as const)
      new CfnOutput(this, `DkimRecord${n}`, {
        value: `${name} CNAME ${value}`,
        description: `DKIM record ${n} of 3 to publish in the ${this.identityName} zone`,
      });
  }
}
