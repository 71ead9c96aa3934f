/**
 * The text of AWS's Lambda + Kinesis guides that test/e2e/lambda-aws-guides.test.ts runs, copied
 * as the guides print it (each constant names its source). Only what this server cannot take as
 * written is changed, and each change says why where it is made (in the test).
 *
 * Sources: the AWS Lambda Developer Guide (awsdocs/aws-lambda-developer-guide, doc_source/, the
 * last published Markdown of 11/14/2022: with-kinesis-example.md "Tutorial: Using AWS Lambda with
 * Amazon Kinesis", with-kinesis-create-package.md "Sample function code", with-kinesis.md "Time
 * windows" and "Reporting batch item failures", invocation-eventfiltering.md "Lambda event
 * filtering"), and the code the current pages embed from aws-samples/serverless-snippets
 * (integration-kinesis-to-lambda, integration-kinesis-to-lambda-with-batch-item-handling; the
 * files' byte order mark left out).
 */

/** with-kinesis-example.md, "Example index.js". */
export const tutorialIndexJs = `console.log('Loading function');

exports.handler = function(event, context) {
    //console.log(JSON.stringify(event, null, 2));
    event.Records.forEach(function(record) {
        // Kinesis data is base64 encoded so decode here
        var payload = Buffer.from(record.kinesis.data, 'base64').toString('ascii');
        console.log('Decoded payload:', payload);
    });
};
`;

/** with-kinesis-example.md, "To create the function", step 2. */
export const tutorialZip = `zip function.zip index.js`;

/**
 * with-kinesis-example.md, step 3. The archived text names `--runtime nodejs12.x`, retired since
 * (Lambda refuses it: "The runtime parameter of nodejs12.x is no longer supported…"); the current
 * tutorial names a current Node.js runtime, as here.
 */
export const tutorialCreateFunction = `aws lambda create-function --function-name ProcessKinesisRecords \\
--zip-file fileb://function.zip --handler index.handler --runtime nodejs20.x \\
--role arn:aws:iam::123456789012:role/lambda-kinesis-role`;

/** with-kinesis-example.md, "To test the Lambda function", step 1: input.txt. */
export const tutorialInputTxt = `{
    "Records": [
        {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "1",
                "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
                "approximateArrivalTimestamp": 1545084650.987
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
            "awsRegion": "us-east-2",
            "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"
        }
    ]
}
`;

/**
 * with-kinesis-example.md, step 2, with the `--cli-binary-format raw-in-base64-out` that its note
 * says AWS CLI version 2 needs (the current tutorial writes it in the command, as here).
 */
export const tutorialInvoke = `aws lambda invoke --function-name ProcessKinesisRecords \\
--cli-binary-format raw-in-base64-out \\
--payload file://input.txt outputfile.txt`;

/** with-kinesis-example.md, "Create a Kinesis stream". */
export const tutorialCreateStream = `aws kinesis create-stream --stream-name lambda-stream --shard-count 1`;
export const tutorialDescribeStream = `aws kinesis describe-stream --stream-name lambda-stream`;

/** The stream ARN the tutorial's later commands name; the test puts the real one in its place. */
export const tutorialStreamArn = "arn:aws:kinesis:us-west-2:123456789012:stream/lambda-stream";

/** with-kinesis-example.md, "Add an event source in AWS Lambda" (two spaces after --event-source, as printed). */
export const tutorialCreateMapping = `aws lambda create-event-source-mapping --function-name ProcessKinesisRecords \\
--event-source  arn:aws:kinesis:us-west-2:123456789012:stream/lambda-stream \\
--batch-size 100 --starting-position LATEST`;

export const tutorialListMappings = `aws lambda list-event-source-mappings --function-name ProcessKinesisRecords \\
--event-source arn:aws:kinesis:us-west-2:123456789012:stream/lambda-stream`;

/**
 * with-kinesis-example.md, "Test the setup": "The --data value is a string that the CLI encodes to
 * base64" — true of CLI v1; CLI v2 reads blobs as base64 unless told `--cli-binary-format
 * raw-in-base64-out` (the tutorial's own note on `invoke`), added here.
 */
export const tutorialPutRecord = `aws kinesis put-record --stream-name lambda-stream --partition-key 1 \\
--data "Hello, this is a test." --cli-binary-format raw-in-base64-out`;

/** with-kinesis-create-package.md, "Python 3", "Example ProcessKinesisRecords.py". */
export const samplePython = `from __future__ import print_function
#import json
import base64
def lambda_handler(event, context):
    for record in event['Records']:
       #Kinesis data is base64 encoded so decode here
       payload=base64.b64decode(record["kinesis"]["data"])
       print("Decoded payload: " + str(payload))
`;

/** serverless-snippets integration-kinesis-to-lambda/example.js ("Consuming a Kinesis event with Lambda using JavaScript"). */
export const snippetNode = `// Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
// SPDX-License-Identifier: Apache-2.0
exports.handler = async (event, context) => {
  for (const record of event.Records) {
    try {
      console.log(\`Processed Kinesis Event - EventID: \${record.eventID}\`);
      const recordData = await getRecordDataAsync(record.kinesis);
      console.log(\`Record Data: \${recordData}\`);
      // TODO: Do interesting work based on the new data
    } catch (err) {
      console.error(\`An error occurred \${err}\`);
      throw err;
    }
  }
  console.log(\`Successfully processed \${event.Records.length} records.\`);
};

async function getRecordDataAsync(payload) {
  var data = Buffer.from(payload.data, "base64").toString("utf-8");
  await Promise.resolve(1); //Placeholder for actual async work
  return data;
}
`;

/** serverless-snippets integration-kinesis-to-lambda/main.py ("… using Python"). */
export const snippetPython = `# Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
# SPDX-License-Identifier: Apache-2.0
import base64
def lambda_handler(event, context):

    for record in event['Records']:
        try:
            print(f"Processed Kinesis Event - EventID: {record['eventID']}")
            record_data = base64.b64decode(record['kinesis']['data']).decode('utf-8')
            print(f"Record Data: {record_data}")
            # TODO: Do interesting work based on the new data
        except Exception as e:
            print(f"An error occurred {e}")
            raise e
    print(f"Successfully processed {len(event['Records'])} records.")
`;

/** serverless-snippets integration-kinesis-to-lambda-with-batch-item-handling/example.js ("Reporting Kinesis batch item failures with Lambda using JavaScript"). */
export const batchItemNode = `// Copyright Amazon.com, Inc. or its affiliates. All Rights Reserved.
// SPDX-License-Identifier: Apache-2.0
exports.handler = async (event, context) => {
  for (const record of event.Records) {
    try {
      console.log(\`Processed Kinesis Event - EventID: \${record.eventID}\`);
      const recordData = await getRecordDataAsync(record.kinesis);
      console.log(\`Record Data: \${recordData}\`);
      // TODO: Do interesting work based on the new data
    } catch (err) {
      console.error(\`An error occurred \${err}\`);
      /* Since we are working with streams, we can return the failed item immediately.
            Lambda will immediately begin to retry processing from this failed item onwards. */
      return {
        batchItemFailures: [{ itemIdentifier: record.kinesis.sequenceNumber }],
      };
    }
  }
  console.log(\`Successfully processed \${event.Records.length} records.\`);
  return { batchItemFailures: [] };
};

async function getRecordDataAsync(payload) {
  var data = Buffer.from(payload.data, "base64").toString("utf-8");
  await Promise.resolve(1); //Placeholder for actual async work
  return data;
}
`;

/** with-kinesis.md, "Reporting batch item failures", "Example Handler.py – return batchItemFailures[]". */
export const batchItemPython = `def handler(event, context):
    records = event.get("Records")
    curRecordSequenceNumber = ""
    
    for record in records:
        try:
            # Process your record
            curRecordSequenceNumber = record["kinesis"]["sequenceNumber"]
        except Exception as e:
            # Return failed record's sequence number
            return {"batchItemFailures":[{"itemIdentifier": curRecordSequenceNumber}]}

    return {"batchItemFailures":[]}
`;

/** with-kinesis.md, "Time windows", "Example Handler.py – Aggregation and processing". */
export const tumblingPython = `def lambda_handler(event, context):
    print('Incoming event: ', event)
    print('Incoming state: ', event['state'])

#Check if this is the end of the window to either aggregate or process.
    if event['isFinalInvokeForWindow']:
        # logic to handle final state of the window
        print('Destination invoke')
    else:
        print('Aggregate invoke')

#Check for early terminations
    if event['isWindowTerminatedEarly']:
        print('Window terminated early')

    #Aggregation logic
    state = event['state']
    for record in event['Records']:
        state[record['kinesis']['partitionKey']] = state.get(record['kinesis']['partitionKey'], 0) + 1

    print('Returning state: ', state)
    return {'state': state}
`;

/** with-kinesis.md, "Time windows", "Configuration" (the guide's function ARN names account 123456789018, its stream 123456789012). */
export const tumblingCreateMapping = `aws lambda create-event-source-mapping --event-source-arn arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream --function-name "arn:aws:lambda:us-east-1:123456789018:function:tumbling-window-example-function" --region us-east-1 --starting-position TRIM_HORIZON --tumbling-window-in-seconds 120`;
export const tumblingStreamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream";
export const tumblingFunctionArn = "arn:aws:lambda:us-east-1:123456789018:function:tumbling-window-example-function";

/**
 * invocation-eventfiltering.md, "Filtering examples": the FilterCriteria for 50 < Temperature <= 60
 * as the guide prints it. Its Pattern string is not valid JSON (one `}` short; the guide's
 * "expanded in plain JSON" form below is), so Lambda refuses it.
 */
export const temperatureCriteriaAsPrinted = `{
   "Filters": [
        {
            "Pattern": "{ \\"data\\": { \\"Temperature\\": [ {\\"numeric\\": [ \\">\\", 50, \\"<=\\", 60 ] }]}"
        }
    ]
}
`;

/** invocation-eventfiltering.md: "here is the value of the filter's Pattern expanded in plain JSON". */
export const temperaturePattern = `{
    "data": {
        "Temperature": [ {"numeric": [ ">", 50, "<=", 60 ] } ]
    }
}
`;

/** invocation-eventfiltering.md, "Filtering examples": a partitionKey (metadata) and a Location (data) equal to given values. */
export const locationCriteria = `{
   "Filters": [
        {
            "Pattern": "{ \\"partitionKey\\": [ \\"1\\" ], \\"data\\": { \\"Location\\": [ \\"Los Angeles\\" ] }}"
        }
    ]
}
`;

/**
 * The current tutorial ("Tutorial: Using Lambda with Kinesis Data Streams") keeps the steps above
 * but works in a project directory, puts the serverless-snippets code in index.js and names
 * `nodejs18.x` and account 111122223333.
 */
export const currentTutorialSetup = `mkdir kinesis-tutorial
cd kinesis-tutorial`;
export const currentTutorialCreateFunction = `aws lambda create-function --function-name ProcessKinesisRecords \\
--zip-file fileb://function.zip --handler index.handler --runtime nodejs18.x \\
--role arn:aws:iam::111122223333:role/lambda-kinesis-role`;
export const currentTutorialStreamArn = "arn:aws:kinesis:us-east-2:111122223333:stream/lambda-stream";
export const currentTutorialCreateMapping = `aws lambda create-event-source-mapping --function-name ProcessKinesisRecords \\
--event-source  arn:aws:kinesis:us-east-2:111122223333:stream/lambda-stream \\
--batch-size 100 --starting-position LATEST`;
