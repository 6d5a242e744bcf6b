// The GraphQL operations the acceptance tests use; `npm run codegen` types them (tests/gql/).
import { graphql } from '../gql/index.js';

export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    field
    message
  }
`);

export const DirectiveFields = graphql(`
  fragment DirectiveFields on Directive {
    id
    name
    type
    title
    description
    text
    taskConfig
    version
    isLatest
    active
    approvalRequired
    builtin
  }
`);

export const ListDirectives = graphql(`
  query ListDirectives($type: DirectiveType, $active: Boolean, $allVersions: Boolean, $first: Int, $after: String) {
    directives(type: $type, active: $active, allVersions: $allVersions, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...DirectiveFields
        }
      }
    }
  }
`);

export const GetDirective = graphql(`
  query GetDirective($id: ID!) {
    directive(id: $id) {
      ...DirectiveFields
      versions {
        id
        version
        title
      }
    }
  }
`);

export const CreateDirective = graphql(`
  mutation CreateDirective($input: CreateDirectiveInput!) {
    createDirective(input: $input) {
      directive {
        ...DirectiveFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateDirective = graphql(`
  mutation UpdateDirective($input: UpdateDirectiveInput!) {
    updateDirective(input: $input) {
      directive {
        ...DirectiveFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const SetDirectiveActive = graphql(`
  mutation SetDirectiveActive($input: SetDirectiveActiveInput!) {
    setDirectiveActive(input: $input) {
      directive {
        id
        active
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RunFields = graphql(`
  fragment RunFields on Run {
    id
    status
    tasks
    directiveSnapshot
    directive {
      id
      name
      version
    }
    jobCount
    createdAt
    startedAt
    endedAt
    error
    sequence
    tokenUsage {
      promptTokens
      completionTokens
      totalTokens
    }
    jobs {
      id
      taskKey
      status
      exitCode
      result
      error
      sequence
    }
  }
`);

export const LaunchRun = graphql(`
  mutation LaunchRun($input: LaunchRunInput) {
    launchRun(input: $input) {
      run {
        ...RunFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const CancelRun = graphql(`
  mutation CancelRun($input: CancelRunInput!) {
    cancelRun(input: $input) {
      run {
        ...RunFields
        report {
          markdown
          json
        }
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const GetRun = graphql(`
  query GetRun($id: ID!) {
    run(id: $id) {
      ...RunFields
      report {
        markdown
        json
      }
    }
  }
`);

export const GetJob = graphql(`
  query GetJob($id: ID!) {
    job(id: $id) {
      id
      taskKey
      status
      attempt
      run {
        id
      }
      llmCalls {
        id
        model
        promptTokens
        completionTokens
        totalTokens
        createdAt
      }
    }
  }
`);

export const ListRuns = graphql(`
  query ListRuns($status: RunStatus, $first: Int, $after: String) {
    runs(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
        }
      }
    }
  }
`);

export const RunsWithRelations = graphql(`
  query RunsWithRelations {
    runs(first: 50) {
      edges {
        node {
          jobs {
            id
          }
          directive {
            id
          }
        }
      }
    }
  }
`);

export const RunsSinceLastSuccess = graphql(`
  query RunsSinceLastSuccess($task: String) {
    runsSinceLastSuccess(task: $task) {
      lastSuccess {
        id
        status
      }
      runs {
        id
        status
      }
      totalCount
    }
  }
`);

export const Nodes = graphql(`
  query Nodes($id: ID!, $ids: [ID!]!) {
    node(id: $id) {
      id
      __typename
    }
    nodes(ids: $ids) {
      id
      __typename
    }
  }
`);

export const TaskDefinitions = graphql(`
  query TaskDefinitions {
    taskDefinitions {
      id
      key
      name
      enabled
      kind
      defaultConfig
    }
  }
`);

export const SetTaskEnabled = graphql(`
  mutation SetTaskEnabled($input: SetTaskEnabledInput!) {
    setTaskEnabled(input: $input) {
      task {
        key
        enabled
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const Allowlist = graphql(`
  query Allowlist {
    allowlist {
      id
      containerName
      description
      enabled
      tags
      pinnedContainerId
    }
    workerImages {
      id
      image
      enabled
      gpuAllowed
      memoryBytes
      pidsLimit
    }
  }
`);

export const UpsertAllowlistEntry = graphql(`
  mutation UpsertAllowlistEntry($input: UpsertAllowlistEntryInput!) {
    upsertAllowlistEntry(input: $input) {
      entry {
        id
        containerName
        enabled
        description
        tags
        pinnedContainerId
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RemoveAllowlistEntry = graphql(`
  mutation RemoveAllowlistEntry($input: RemoveAllowlistEntryInput!) {
    removeAllowlistEntry(input: $input) {
      entry {
        id
        containerName
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpsertWorkerImage = graphql(`
  mutation UpsertWorkerImage($input: UpsertWorkerImageInput!) {
    upsertWorkerImage(input: $input) {
      workerImage {
        id
        image
        enabled
        gpuAllowed
        memoryBytes
        nanoCpus
        pidsLimit
        timeoutSeconds
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RemoveWorkerImage = graphql(`
  mutation RemoveWorkerImage($input: RemoveWorkerImageInput!) {
    removeWorkerImage(input: $input) {
      workerImage {
        id
        image
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const TokenUsageQuery = graphql(`
  query TokenUsage($since: DateTime, $until: DateTime, $groupBy: [UsageDimension!]) {
    tokenUsage(since: $since, until: $until, groupBy: $groupBy) {
      totals {
        calls
        failedCalls
        promptTokens
        completionTokens
        totalTokens
        cost
      }
      groups {
        model
        directive
        task
        calls
        totalTokens
        cost
      }
    }
  }
`);

export const AuditEvents = graphql(`
  query AuditEvents($allowed: Boolean, $target: String) {
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

export const UpsertContainerTask = graphql(`
  mutation UpsertContainerTask($input: UpsertContainerTaskInput!) {
    upsertContainerTask(input: $input) {
      task {
        id
        key
        kind
        image
        command
        timeoutSeconds
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RunReport = graphql(`
  query RunReport($id: ID!) {
    run(id: $id) {
      status
      report {
        markdown
        json
      }
      jobs {
        taskKey
        status
        error
        exitCode
        result
        llmCalls {
          model
          succeeded
          promptTokens
          completionTokens
          totalTokens
        }
      }
    }
  }
`);

export const CreateApiToken = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token {
        id
        name
        role
        prefix
      }
      secret
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const RevokeApiToken = graphql(`
  mutation RevokeApiToken($input: RevokeApiTokenInput!) {
    revokeApiToken(input: $input) {
      token {
        id
        revokedAt
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const ApiTokens = graphql(`
  query ApiTokens {
    apiTokens {
      id
      name
      role
      prefix
      revokedAt
    }
  }
`);

export const RunArtifacts = graphql(`
  query RunArtifacts($id: ID!) {
    run(id: $id) {
      id
      status
      artifacts {
        name
        type
        sizeBytes
        mimeType
        sha256
        createdAt
        downloadUrl
        job {
          id
          taskKey
        }
      }
    }
  }
`);
