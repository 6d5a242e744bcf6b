// GraphQL documents for the removal, identity, poison-input and crash-window tests
// (`npm run codegen` types them).
import { graphql } from '../../gql/index.js';

export const PinEntry = graphql(`
  mutation PinEntry($input: UpsertAllowlistEntryInput!) {
    upsertAllowlistEntry(input: $input) {
      entry {
        id
        containerName
        pinnedContainerId
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

export const AllowlistPins = graphql(`
  query AllowlistPins {
    allowlist {
      containerName
      pinnedContainerId
    }
  }
`);

export const AuditTrail = graphql(`
  query AuditTrail($allowed: Boolean, $target: String) {
    auditEvents(allowed: $allowed, target: $target, first: 100) {
      edges {
        node {
          action
          target
          allowed
          reason
          run {
            id
          }
          job {
            id
          }
          count
        }
      }
    }
  }
`);

export const JobResults = graphql(`
  query JobResults($id: ID!) {
    run(id: $id) {
      id
      status
      jobs {
        id
        taskKey
        status
        exitCode
        error
        result
      }
    }
  }
`);

export const NewDirective = graphql(`
  mutation NewDirective($input: CreateDirectiveInput!) {
    createDirective(input: $input) {
      directive {
        id
        text
        taskConfig
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

export const RunStatusStream = graphql(`
  subscription RunStatusStream($runId: ID) {
    runStatusChanged(runId: $runId) {
      status
      previousStatus
    }
  }
`);
