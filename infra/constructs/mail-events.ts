import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as ses from "aws-cdk-lib/aws-ses";
import * as sns from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";

export interface MailEventsProps {
  configurationSetName: string;
  /** Encrypts the events topic; its policy must let SES use it. */
  key: kms.IKey;
}

/**
 * The SES configuration set every email is sent through (it carries the Tags the
 * senders set), publishing bounces and complaints to an encrypted SNS topic.
 */
export class MailEvents extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: MailEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.configurationSetName = props.configurationSetName;
    this.configurationSet = new ses.ConfigurationSet(this, "ConfigurationSet", {
      configurationSetName: props.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSetArn = stack.formatArn({
      service: "ses",
      resource: "configuration-set",
      resourceName: props.configurationSetName,
    });

    this.topic = new sns.Topic(this, "BouncesAndComplaints", {
      displayName: "SES bounces and complaints",
      masterKey: props.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        // A topic policy replaces SNS's default one, so SES is let in by name.
        sid: "SesOfThisAccountPublishes",
        principals: [new iam.ServicePrincipal("ses.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { "aws:SourceAccount": stack.account } },
      }),
    );
    const destination = this.configurationSet.addEventDestination("ToTopic", {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    destination.node.addDependency(this.topic);
  }
}
