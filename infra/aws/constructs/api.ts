import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ItemsTable } from './items-table.js';
import type { Mail } from './mail.js';
import { acknowledge } from '../nag.js';
import { ProjectFunction } from './project-function.js';
import type { SearchDomain } from './search-domain.js';
import type { TokenSecret } from './token-secret.js';

export interface ApiProps {
  readonly stage: string;
  readonly table: ItemsTable;
  readonly search: SearchDomain;
  readonly mail: Mail;
  readonly tokenSecret: TokenSecret;
  readonly corsOrigins: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** @default the custom domain, else the execute-api URL */
  readonly publicBaseUrl?: string;
  /** Where the portal pages are served (`PORTAL_URL`). @default the links' base URL */
  readonly portalUrl?: string;
  readonly logRetentionDays: number;
}

/**
 * The public HTTP API (API Gateway HTTP API v2) in front of one function that routes
 * `/v1/*` itself: stage-wide throttling, JSON access logs, optional custom domain. CORS, preflight
 * included, is the function's (its `CORS_ORIGINS` comes from config): API Gateway's own CORS stays
 * off so the headers a browser sees are the same as the local stack's.
 */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly apiFunction: ProjectFunction;
  readonly accessLogs: logs.LogGroup;
  /** Base of links in mails and feeds (`PUBLIC_BASE_URL`), without a trailing slash. */
  readonly baseUrl: string;
  private readonly customDomainName?: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.customDomainName = props.customDomain?.domainName;
    this.apiFunction = new ProjectFunction(this, 'ApiFunction', {
      stage: props.stage,
      key: 'api',
      logRetentionDays: props.logRetentionDays,
      environment: { CORS_ORIGINS: props.corsOrigins.join(',') },
    });
    // Subscriptions are written by the API (confirmation mail, tokens); items are only read.
    props.table.bindTable(this.apiFunction, 'readWrite');
    props.search.bindSearch(this.apiFunction, 'read');
    props.mail.bindMailer(this.apiFunction);
    props.tokenSecret.bindTokenSecret(this.apiFunction);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `chiiki-${props.stage}-api`,
      description: 'chiiki-portal search API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction.fn, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
      // No corsPreflight: API Gateway's CORS would answer OPTIONS itself and replace the function's
      // CORS headers. The $default route sends every method, OPTIONS included, to the function,
      // whose cors middleware (functions/middleware/cors.ts) is the one answer, locally and in AWS.
    });

    acknowledge(
      this.httpApi,
      'AwsSolutions-APIG4',
      'a public search API: reads are anonymous by design; subscription changes are authorized by HMAC-signed tokens mailed to the subscriber, checked in the function; abuse is bounded by stage throttling and, with the edge on, by a per-IP WAF rate rule',
    );

    // Links in mails and feeds: the configured base URL, else the API's own custom or execute-api domain.
    const stack = Stack.of(this);
    this.baseUrl =
      props.publicBaseUrl ??
      (props.customDomain
        ? `https://${props.customDomain.domainName}`
        : `https://${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`);
    this.apiFunction.addEnvironment('PUBLIC_BASE_URL', this.baseUrl);
    if (props.portalUrl) this.apiFunction.addEnvironment('PORTAL_URL', props.portalUrl);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    if (props.customDomain) {
      const domainName = new apigw.DomainName(this, 'CustomDomain', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
      });
      new apigw.ApiMapping(this, 'CustomDomainMapping', { api: this.httpApi, domainName, stage: this.stage });
    }
  }

  /** Where browsers reach the API without the edge: the custom domain, else the execute-api host (no trailing slash). */
  get publicOrigin(): string {
    const stack = Stack.of(this);
    return this.customDomainName
      ? `https://${this.customDomainName}`
      : `https://${this.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }

  /** The API's base URL (`https://…execute-api…/`). */
  get url(): string {
    return this.stage.url;
  }
}
