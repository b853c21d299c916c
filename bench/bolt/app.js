// The peer in catweete's load test: a Bolt for JavaScript app with the
// default HTTP receiver (POST /slack/events for commands too) that acks
// /catweete and does nothing else.
//
//   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… SLACK_API_URL=http://127.0.0.1:18700/api/ \
//   BOLT_PORT=18703 node app.js
//
// SLACK_API_URL points Bolt's Web API client at the load test's fake Slack,
// whose auth.test Bolt calls once at start: nothing reaches the internet.
'use strict';

const { App, LogLevel } = require('@slack/bolt');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`bolt: ${name} is empty`);
    process.exit(1);
  }
  return value;
}

const port = Number(process.env.BOLT_PORT || '18703');
const host = process.env.BOLT_HOST || '127.0.0.1';

const app = new App({
  token: required('SLACK_BOT_TOKEN'),
  signingSecret: required('SLACK_SIGNING_SECRET'),
  clientOptions: { slackApiUrl: required('SLACK_API_URL') },
  logLevel: LogLevel.WARN,
});

app.command('/catweete', async ({ ack }) => {
  await ack();
});

(async () => {
  await app.start({ port, host });
  console.error(`bolt: serving on ${host}:${port}`);
})().catch((err) => {
  console.error('bolt: start failed:', err);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    app.stop().finally(() => process.exit(0));
  });
}
