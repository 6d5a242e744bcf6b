// Subscription documents for tests/acceptance/subscriptions.test.ts; `npm run codegen` types them.
import { graphql } from '../gql/index.js';

export const JobStatusChanged = graphql(`
  subscription JobStatusChanged($runId: ID!) {
    jobStatusChanged(runId: $runId) {
      job {
        id
      }
      taskKey
      status
      previousStatus
      sequence
      at
    }
  }
`);

export const RunStatusChanged = graphql(`
  subscription RunStatusChanged($runId: ID) {
    runStatusChanged(runId: $runId) {
      run {
        id
      }
      status
      previousStatus
      sequence
      at
    }
  }
`);

export const RunEvents = graphql(`
  subscription RunEvents($runId: ID!) {
    runEvents(runId: $runId) {
      __typename
      ... on JobStatusEvent {
        job {
          id
        }
        taskKey
        status
        previousStatus
        sequence
      }
      ... on RunStatusEvent {
        run {
          id
        }
        runStatus
        previousRunStatus
        sequence
      }
      ... on JobLogEvent {
        job {
          id
        }
        line
        afterSequence
      }
    }
  }
`);

