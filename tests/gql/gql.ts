/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n      query RunCount {\n        runs {\n          totalCount\n        }\n      }\n    ": typeof types.RunCountDocument,
    "\n  query IdsRunsAndTokens {\n    runs {\n      totalCount\n    }\n    apiTokens {\n      id\n    }\n    allowlist {\n      id\n    }\n    auditEvents(first: 1) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n  }\n": typeof types.IdsRunsAndTokensDocument,
    "\n  query IdsAuditRefs($target: String) {\n    auditEvents(target: $target, first: 10) {\n      edges {\n        node {\n          target\n          run {\n            id\n            status\n          }\n          job {\n            id\n            taskKey\n            run {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.IdsAuditRefsDocument,
    "\n  query IdsNodeOf($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n    }\n    nodes(ids: $ids) {\n      id\n    }\n    run(id: $id) {\n      id\n    }\n    job(id: $id) {\n      id\n    }\n    directive(id: $id) {\n      id\n    }\n  }\n": typeof types.IdsNodeOfDocument,
    "\n  mutation IdsByIdMutations($id: ID!) {\n    cancelRun(input: { id: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    revokeApiToken(input: { id: $id }) {\n      token {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    setDirectiveActive(input: { id: $id, active: false }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    updateDirective(input: { id: $id, title: \"x\" }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeAllowlistEntry(input: { id: $id }) {\n      entry {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeWorkerImage(input: { id: $id }) {\n      workerImage {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    launchRun(input: { directiveId: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.IdsByIdMutationsDocument,
    "\n  query IdsRunsAfter($after: String) {\n    runs(after: $after) {\n      totalCount\n    }\n  }\n": typeof types.IdsRunsAfterDocument,
    "\n  query IdsDirectivesBefore($before: String) {\n    directives(last: 1, before: $before) {\n      totalCount\n    }\n  }\n": typeof types.IdsDirectivesBeforeDocument,
    "\n  mutation CreateIntervalSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateIntervalScheduleDocument,
    "\n  mutation DisableSchedule($id: ID!) {\n    setScheduleEnabled(input: { id: $id, enabled: false }) {\n      errors {\n        code\n      }\n    }\n  }\n": typeof types.DisableScheduleDocument,
    "\n  fragment ScheduleFields on Schedule {\n    id\n    name\n    kind\n    cronExpression\n    timeZone\n    intervalSeconds\n    enabled\n    nextRunAt\n    lastRunAt\n    overlapPolicy\n    missedTickPolicy\n    tasks\n    taskConfig\n  }\n": typeof types.ScheduleFieldsFragmentDoc,
    "\n  mutation CreateSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateScheduleDocument,
    "\n  mutation UpdateSchedule($input: UpdateScheduleInput!) {\n    updateSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.UpdateScheduleDocument,
    "\n  mutation SetScheduleEnabled($input: SetScheduleEnabledInput!) {\n    setScheduleEnabled(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.SetScheduleEnabledDocument,
    "\n  mutation DeleteSchedule($input: ScheduleIdInput!) {\n    deleteSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.DeleteScheduleDocument,
    "\n  mutation RunScheduleNow($input: ScheduleIdInput!) {\n    runScheduleNow(input: $input) {\n      run {\n        id\n        status\n        directiveSnapshot\n        trigger {\n          kind\n          token\n          schedule {\n            id\n            name\n          }\n        }\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.RunScheduleNowDocument,
    "\n  query GetSchedule($id: ID!) {\n    schedule(id: $id) {\n      ...ScheduleFields\n      ticks(first: 20) {\n        totalCount\n        edges {\n          node {\n            dueAt\n            outcome\n            reason\n            manual\n            run {\n              id\n              trigger {\n                kind\n              }\n            }\n          }\n        }\n      }\n      runs(first: 1) {\n        totalCount\n      }\n    }\n  }\n": typeof types.GetScheduleDocument,
    "\n  query ListSchedules($enabled: Boolean) {\n    schedules(enabled: $enabled, first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.ListSchedulesDocument,
    "\n  query RunTrigger($id: ID!) {\n    run(id: $id) {\n      trigger {\n        kind\n        token\n        schedule {\n          id\n        }\n      }\n    }\n  }\n": typeof types.RunTriggerDocument,
    "\n  subscription ScheduleChanged {\n    scheduleChanged {\n      change\n      scheduleId\n      schedule {\n        name\n        enabled\n      }\n    }\n  }\n": typeof types.ScheduleChangedDocument,
    "\n  query SecurityNodeById($id: ID!) {\n    node(id: $id) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on AuditEvent {\n        target\n      }\n    }\n  }\n": typeof types.SecurityNodeByIdDocument,
    "\n  query SecurityNodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on Run {\n        status\n      }\n    }\n  }\n": typeof types.SecurityNodesByIdsDocument,
    "\n  fragment UserErrorFields on UserError {\n    code\n    field\n    message\n  }\n": typeof types.UserErrorFieldsFragmentDoc,
    "\n  fragment DirectiveFields on Directive {\n    id\n    name\n    type\n    title\n    description\n    text\n    taskConfig\n    version\n    isLatest\n    active\n    approvalRequired\n    builtin\n  }\n": typeof types.DirectiveFieldsFragmentDoc,
    "\n  query ListDirectives($type: DirectiveType, $active: Boolean, $allVersions: Boolean, $first: Int, $after: String) {\n    directives(type: $type, active: $active, allVersions: $allVersions, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...DirectiveFields\n        }\n      }\n    }\n  }\n": typeof types.ListDirectivesDocument,
    "\n  query GetDirective($id: ID!) {\n    directive(id: $id) {\n      ...DirectiveFields\n      versions {\n        id\n        version\n        title\n      }\n    }\n  }\n": typeof types.GetDirectiveDocument,
    "\n  mutation CreateDirective($input: CreateDirectiveInput!) {\n    createDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.CreateDirectiveDocument,
    "\n  mutation UpdateDirective($input: UpdateDirectiveInput!) {\n    updateDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.UpdateDirectiveDocument,
    "\n  mutation SetDirectiveActive($input: SetDirectiveActiveInput!) {\n    setDirectiveActive(input: $input) {\n      directive {\n        id\n        active\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.SetDirectiveActiveDocument,
    "\n  fragment RunFields on Run {\n    id\n    status\n    tasks\n    directiveSnapshot\n    directive {\n      id\n      name\n      version\n    }\n    jobCount\n    createdAt\n    startedAt\n    endedAt\n    error\n    sequence\n    tokenUsage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n    jobs {\n      id\n      taskKey\n      status\n      exitCode\n      result\n      error\n      sequence\n    }\n  }\n": typeof types.RunFieldsFragmentDoc,
    "\n  mutation LaunchRun($input: LaunchRunInput) {\n    launchRun(input: $input) {\n      run {\n        ...RunFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.LaunchRunDocument,
    "\n  mutation CancelRun($input: CancelRunInput!) {\n    cancelRun(input: $input) {\n      run {\n        ...RunFields\n        report {\n          markdown\n          json\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.CancelRunDocument,
    "\n  query GetRun($id: ID!) {\n    run(id: $id) {\n      ...RunFields\n      report {\n        markdown\n        json\n      }\n    }\n  }\n": typeof types.GetRunDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id\n      taskKey\n      status\n      attempt\n      run {\n        id\n      }\n      llmCalls {\n        id\n        model\n        promptTokens\n        completionTokens\n        totalTokens\n        createdAt\n      }\n    }\n  }\n": typeof types.GetJobDocument,
    "\n  query ListRuns($status: RunStatus, $first: Int, $after: String) {\n    runs(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n": typeof types.ListRunsDocument,
    "\n  query RunsWithRelations {\n    runs(first: 50) {\n      edges {\n        node {\n          jobs {\n            id\n          }\n          directive {\n            id\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunsWithRelationsDocument,
    "\n  query RunsSinceLastSuccess($task: String) {\n    runsSinceLastSuccess(task: $task) {\n      lastSuccess {\n        id\n        status\n      }\n      runs {\n        id\n        status\n      }\n      totalCount\n    }\n  }\n": typeof types.RunsSinceLastSuccessDocument,
    "\n  query Nodes($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n      __typename\n    }\n    nodes(ids: $ids) {\n      id\n      __typename\n    }\n  }\n": typeof types.NodesDocument,
    "\n  query TaskDefinitions {\n    taskDefinitions {\n      id\n      key\n      name\n      enabled\n      kind\n      defaultConfig\n    }\n  }\n": typeof types.TaskDefinitionsDocument,
    "\n  mutation SetTaskEnabled($input: SetTaskEnabledInput!) {\n    setTaskEnabled(input: $input) {\n      task {\n        key\n        enabled\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.SetTaskEnabledDocument,
    "\n  query Allowlist {\n    allowlist {\n      id\n      containerName\n      description\n      enabled\n      tags\n      pinnedContainerId\n    }\n    workerImages {\n      id\n      image\n      enabled\n      gpuAllowed\n      memoryBytes\n      pidsLimit\n    }\n  }\n": typeof types.AllowlistDocument,
    "\n  mutation UpsertAllowlistEntry($input: UpsertAllowlistEntryInput!) {\n    upsertAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n        enabled\n        description\n        tags\n        pinnedContainerId\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.UpsertAllowlistEntryDocument,
    "\n  mutation RemoveAllowlistEntry($input: RemoveAllowlistEntryInput!) {\n    removeAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.RemoveAllowlistEntryDocument,
    "\n  mutation UpsertWorkerImage($input: UpsertWorkerImageInput!) {\n    upsertWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n        enabled\n        gpuAllowed\n        memoryBytes\n        nanoCpus\n        pidsLimit\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.UpsertWorkerImageDocument,
    "\n  mutation RemoveWorkerImage($input: RemoveWorkerImageInput!) {\n    removeWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.RemoveWorkerImageDocument,
    "\n  query TokenUsage($since: DateTime, $until: DateTime, $groupBy: [UsageDimension!]) {\n    tokenUsage(since: $since, until: $until, groupBy: $groupBy) {\n      totals {\n        calls\n        failedCalls\n        promptTokens\n        completionTokens\n        totalTokens\n        cost\n      }\n      groups {\n        model\n        directive\n        task\n        calls\n        totalTokens\n        cost\n      }\n    }\n  }\n": typeof types.TokenUsageDocument,
    "\n  query AuditEvents($allowed: Boolean, $target: String) {\n    auditEvents(allowed: $allowed, target: $target, first: 100) {\n      edges {\n        node {\n          action\n          target\n          allowed\n          reason\n          run {\n            id\n          }\n          job {\n            id\n          }\n          count\n        }\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  mutation UpsertContainerTask($input: UpsertContainerTaskInput!) {\n    upsertContainerTask(input: $input) {\n      task {\n        id\n        key\n        kind\n        image\n        command\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.UpsertContainerTaskDocument,
    "\n  query RunReport($id: ID!) {\n    run(id: $id) {\n      status\n      report {\n        markdown\n        json\n      }\n      jobs {\n        taskKey\n        status\n        error\n        exitCode\n        result\n        llmCalls {\n          model\n          succeeded\n          promptTokens\n          completionTokens\n          totalTokens\n        }\n      }\n    }\n  }\n": typeof types.RunReportDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        role\n        prefix\n      }\n      secret\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($input: RevokeApiTokenInput!) {\n    revokeApiToken(input: $input) {\n      token {\n        id\n        revokedAt\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      role\n      prefix\n      revokedAt\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  subscription JobStatusChanged($runId: ID!) {\n    jobStatusChanged(runId: $runId) {\n      job {\n        id\n      }\n      taskKey\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n": typeof types.JobStatusChangedDocument,
    "\n  subscription RunStatusChanged($runId: ID) {\n    runStatusChanged(runId: $runId) {\n      run {\n        id\n      }\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n": typeof types.RunStatusChangedDocument,
    "\n  subscription RunEvents($runId: ID!) {\n    runEvents(runId: $runId) {\n      __typename\n      ... on JobStatusEvent {\n        job {\n          id\n        }\n        taskKey\n        status\n        previousStatus\n        sequence\n      }\n      ... on RunStatusEvent {\n        run {\n          id\n        }\n        runStatus\n        previousRunStatus\n        sequence\n      }\n      ... on JobLogEvent {\n        job {\n          id\n        }\n        line\n        afterSequence\n      }\n    }\n  }\n": typeof types.RunEventsDocument,
};
const documents: Documents = {
    "\n      query RunCount {\n        runs {\n          totalCount\n        }\n      }\n    ": types.RunCountDocument,
    "\n  query IdsRunsAndTokens {\n    runs {\n      totalCount\n    }\n    apiTokens {\n      id\n    }\n    allowlist {\n      id\n    }\n    auditEvents(first: 1) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n  }\n": types.IdsRunsAndTokensDocument,
    "\n  query IdsAuditRefs($target: String) {\n    auditEvents(target: $target, first: 10) {\n      edges {\n        node {\n          target\n          run {\n            id\n            status\n          }\n          job {\n            id\n            taskKey\n            run {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n": types.IdsAuditRefsDocument,
    "\n  query IdsNodeOf($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n    }\n    nodes(ids: $ids) {\n      id\n    }\n    run(id: $id) {\n      id\n    }\n    job(id: $id) {\n      id\n    }\n    directive(id: $id) {\n      id\n    }\n  }\n": types.IdsNodeOfDocument,
    "\n  mutation IdsByIdMutations($id: ID!) {\n    cancelRun(input: { id: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    revokeApiToken(input: { id: $id }) {\n      token {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    setDirectiveActive(input: { id: $id, active: false }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    updateDirective(input: { id: $id, title: \"x\" }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeAllowlistEntry(input: { id: $id }) {\n      entry {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeWorkerImage(input: { id: $id }) {\n      workerImage {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    launchRun(input: { directiveId: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.IdsByIdMutationsDocument,
    "\n  query IdsRunsAfter($after: String) {\n    runs(after: $after) {\n      totalCount\n    }\n  }\n": types.IdsRunsAfterDocument,
    "\n  query IdsDirectivesBefore($before: String) {\n    directives(last: 1, before: $before) {\n      totalCount\n    }\n  }\n": types.IdsDirectivesBeforeDocument,
    "\n  mutation CreateIntervalSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateIntervalScheduleDocument,
    "\n  mutation DisableSchedule($id: ID!) {\n    setScheduleEnabled(input: { id: $id, enabled: false }) {\n      errors {\n        code\n      }\n    }\n  }\n": types.DisableScheduleDocument,
    "\n  fragment ScheduleFields on Schedule {\n    id\n    name\n    kind\n    cronExpression\n    timeZone\n    intervalSeconds\n    enabled\n    nextRunAt\n    lastRunAt\n    overlapPolicy\n    missedTickPolicy\n    tasks\n    taskConfig\n  }\n": types.ScheduleFieldsFragmentDoc,
    "\n  mutation CreateSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.CreateScheduleDocument,
    "\n  mutation UpdateSchedule($input: UpdateScheduleInput!) {\n    updateSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.UpdateScheduleDocument,
    "\n  mutation SetScheduleEnabled($input: SetScheduleEnabledInput!) {\n    setScheduleEnabled(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.SetScheduleEnabledDocument,
    "\n  mutation DeleteSchedule($input: ScheduleIdInput!) {\n    deleteSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.DeleteScheduleDocument,
    "\n  mutation RunScheduleNow($input: ScheduleIdInput!) {\n    runScheduleNow(input: $input) {\n      run {\n        id\n        status\n        directiveSnapshot\n        trigger {\n          kind\n          token\n          schedule {\n            id\n            name\n          }\n        }\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.RunScheduleNowDocument,
    "\n  query GetSchedule($id: ID!) {\n    schedule(id: $id) {\n      ...ScheduleFields\n      ticks(first: 20) {\n        totalCount\n        edges {\n          node {\n            dueAt\n            outcome\n            reason\n            manual\n            run {\n              id\n              trigger {\n                kind\n              }\n            }\n          }\n        }\n      }\n      runs(first: 1) {\n        totalCount\n      }\n    }\n  }\n": types.GetScheduleDocument,
    "\n  query ListSchedules($enabled: Boolean) {\n    schedules(enabled: $enabled, first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.ListSchedulesDocument,
    "\n  query RunTrigger($id: ID!) {\n    run(id: $id) {\n      trigger {\n        kind\n        token\n        schedule {\n          id\n        }\n      }\n    }\n  }\n": types.RunTriggerDocument,
    "\n  subscription ScheduleChanged {\n    scheduleChanged {\n      change\n      scheduleId\n      schedule {\n        name\n        enabled\n      }\n    }\n  }\n": types.ScheduleChangedDocument,
    "\n  query SecurityNodeById($id: ID!) {\n    node(id: $id) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on AuditEvent {\n        target\n      }\n    }\n  }\n": types.SecurityNodeByIdDocument,
    "\n  query SecurityNodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on Run {\n        status\n      }\n    }\n  }\n": types.SecurityNodesByIdsDocument,
    "\n  fragment UserErrorFields on UserError {\n    code\n    field\n    message\n  }\n": types.UserErrorFieldsFragmentDoc,
    "\n  fragment DirectiveFields on Directive {\n    id\n    name\n    type\n    title\n    description\n    text\n    taskConfig\n    version\n    isLatest\n    active\n    approvalRequired\n    builtin\n  }\n": types.DirectiveFieldsFragmentDoc,
    "\n  query ListDirectives($type: DirectiveType, $active: Boolean, $allVersions: Boolean, $first: Int, $after: String) {\n    directives(type: $type, active: $active, allVersions: $allVersions, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...DirectiveFields\n        }\n      }\n    }\n  }\n": types.ListDirectivesDocument,
    "\n  query GetDirective($id: ID!) {\n    directive(id: $id) {\n      ...DirectiveFields\n      versions {\n        id\n        version\n        title\n      }\n    }\n  }\n": types.GetDirectiveDocument,
    "\n  mutation CreateDirective($input: CreateDirectiveInput!) {\n    createDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.CreateDirectiveDocument,
    "\n  mutation UpdateDirective($input: UpdateDirectiveInput!) {\n    updateDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.UpdateDirectiveDocument,
    "\n  mutation SetDirectiveActive($input: SetDirectiveActiveInput!) {\n    setDirectiveActive(input: $input) {\n      directive {\n        id\n        active\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.SetDirectiveActiveDocument,
    "\n  fragment RunFields on Run {\n    id\n    status\n    tasks\n    directiveSnapshot\n    directive {\n      id\n      name\n      version\n    }\n    jobCount\n    createdAt\n    startedAt\n    endedAt\n    error\n    sequence\n    tokenUsage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n    jobs {\n      id\n      taskKey\n      status\n      exitCode\n      result\n      error\n      sequence\n    }\n  }\n": types.RunFieldsFragmentDoc,
    "\n  mutation LaunchRun($input: LaunchRunInput) {\n    launchRun(input: $input) {\n      run {\n        ...RunFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.LaunchRunDocument,
    "\n  mutation CancelRun($input: CancelRunInput!) {\n    cancelRun(input: $input) {\n      run {\n        ...RunFields\n        report {\n          markdown\n          json\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.CancelRunDocument,
    "\n  query GetRun($id: ID!) {\n    run(id: $id) {\n      ...RunFields\n      report {\n        markdown\n        json\n      }\n    }\n  }\n": types.GetRunDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id\n      taskKey\n      status\n      attempt\n      run {\n        id\n      }\n      llmCalls {\n        id\n        model\n        promptTokens\n        completionTokens\n        totalTokens\n        createdAt\n      }\n    }\n  }\n": types.GetJobDocument,
    "\n  query ListRuns($status: RunStatus, $first: Int, $after: String) {\n    runs(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n": types.ListRunsDocument,
    "\n  query RunsWithRelations {\n    runs(first: 50) {\n      edges {\n        node {\n          jobs {\n            id\n          }\n          directive {\n            id\n          }\n        }\n      }\n    }\n  }\n": types.RunsWithRelationsDocument,
    "\n  query RunsSinceLastSuccess($task: String) {\n    runsSinceLastSuccess(task: $task) {\n      lastSuccess {\n        id\n        status\n      }\n      runs {\n        id\n        status\n      }\n      totalCount\n    }\n  }\n": types.RunsSinceLastSuccessDocument,
    "\n  query Nodes($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n      __typename\n    }\n    nodes(ids: $ids) {\n      id\n      __typename\n    }\n  }\n": types.NodesDocument,
    "\n  query TaskDefinitions {\n    taskDefinitions {\n      id\n      key\n      name\n      enabled\n      kind\n      defaultConfig\n    }\n  }\n": types.TaskDefinitionsDocument,
    "\n  mutation SetTaskEnabled($input: SetTaskEnabledInput!) {\n    setTaskEnabled(input: $input) {\n      task {\n        key\n        enabled\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.SetTaskEnabledDocument,
    "\n  query Allowlist {\n    allowlist {\n      id\n      containerName\n      description\n      enabled\n      tags\n      pinnedContainerId\n    }\n    workerImages {\n      id\n      image\n      enabled\n      gpuAllowed\n      memoryBytes\n      pidsLimit\n    }\n  }\n": types.AllowlistDocument,
    "\n  mutation UpsertAllowlistEntry($input: UpsertAllowlistEntryInput!) {\n    upsertAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n        enabled\n        description\n        tags\n        pinnedContainerId\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.UpsertAllowlistEntryDocument,
    "\n  mutation RemoveAllowlistEntry($input: RemoveAllowlistEntryInput!) {\n    removeAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.RemoveAllowlistEntryDocument,
    "\n  mutation UpsertWorkerImage($input: UpsertWorkerImageInput!) {\n    upsertWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n        enabled\n        gpuAllowed\n        memoryBytes\n        nanoCpus\n        pidsLimit\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.UpsertWorkerImageDocument,
    "\n  mutation RemoveWorkerImage($input: RemoveWorkerImageInput!) {\n    removeWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.RemoveWorkerImageDocument,
    "\n  query TokenUsage($since: DateTime, $until: DateTime, $groupBy: [UsageDimension!]) {\n    tokenUsage(since: $since, until: $until, groupBy: $groupBy) {\n      totals {\n        calls\n        failedCalls\n        promptTokens\n        completionTokens\n        totalTokens\n        cost\n      }\n      groups {\n        model\n        directive\n        task\n        calls\n        totalTokens\n        cost\n      }\n    }\n  }\n": types.TokenUsageDocument,
    "\n  query AuditEvents($allowed: Boolean, $target: String) {\n    auditEvents(allowed: $allowed, target: $target, first: 100) {\n      edges {\n        node {\n          action\n          target\n          allowed\n          reason\n          run {\n            id\n          }\n          job {\n            id\n          }\n          count\n        }\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  mutation UpsertContainerTask($input: UpsertContainerTaskInput!) {\n    upsertContainerTask(input: $input) {\n      task {\n        id\n        key\n        kind\n        image\n        command\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.UpsertContainerTaskDocument,
    "\n  query RunReport($id: ID!) {\n    run(id: $id) {\n      status\n      report {\n        markdown\n        json\n      }\n      jobs {\n        taskKey\n        status\n        error\n        exitCode\n        result\n        llmCalls {\n          model\n          succeeded\n          promptTokens\n          completionTokens\n          totalTokens\n        }\n      }\n    }\n  }\n": types.RunReportDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        role\n        prefix\n      }\n      secret\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($input: RevokeApiTokenInput!) {\n    revokeApiToken(input: $input) {\n      token {\n        id\n        revokedAt\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      role\n      prefix\n      revokedAt\n    }\n  }\n": types.ApiTokensDocument,
    "\n  subscription JobStatusChanged($runId: ID!) {\n    jobStatusChanged(runId: $runId) {\n      job {\n        id\n      }\n      taskKey\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n": types.JobStatusChangedDocument,
    "\n  subscription RunStatusChanged($runId: ID) {\n    runStatusChanged(runId: $runId) {\n      run {\n        id\n      }\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n": types.RunStatusChangedDocument,
    "\n  subscription RunEvents($runId: ID!) {\n    runEvents(runId: $runId) {\n      __typename\n      ... on JobStatusEvent {\n        job {\n          id\n        }\n        taskKey\n        status\n        previousStatus\n        sequence\n      }\n      ... on RunStatusEvent {\n        run {\n          id\n        }\n        runStatus\n        previousRunStatus\n        sequence\n      }\n      ... on JobLogEvent {\n        job {\n          id\n        }\n        line\n        afterSequence\n      }\n    }\n  }\n": types.RunEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      query RunCount {\n        runs {\n          totalCount\n        }\n      }\n    "): (typeof documents)["\n      query RunCount {\n        runs {\n          totalCount\n        }\n      }\n    "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdsRunsAndTokens {\n    runs {\n      totalCount\n    }\n    apiTokens {\n      id\n    }\n    allowlist {\n      id\n    }\n    auditEvents(first: 1) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query IdsRunsAndTokens {\n    runs {\n      totalCount\n    }\n    apiTokens {\n      id\n    }\n    allowlist {\n      id\n    }\n    auditEvents(first: 1) {\n      edges {\n        node {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdsAuditRefs($target: String) {\n    auditEvents(target: $target, first: 10) {\n      edges {\n        node {\n          target\n          run {\n            id\n            status\n          }\n          job {\n            id\n            taskKey\n            run {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query IdsAuditRefs($target: String) {\n    auditEvents(target: $target, first: 10) {\n      edges {\n        node {\n          target\n          run {\n            id\n            status\n          }\n          job {\n            id\n            taskKey\n            run {\n              id\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdsNodeOf($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n    }\n    nodes(ids: $ids) {\n      id\n    }\n    run(id: $id) {\n      id\n    }\n    job(id: $id) {\n      id\n    }\n    directive(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query IdsNodeOf($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n    }\n    nodes(ids: $ids) {\n      id\n    }\n    run(id: $id) {\n      id\n    }\n    job(id: $id) {\n      id\n    }\n    directive(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation IdsByIdMutations($id: ID!) {\n    cancelRun(input: { id: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    revokeApiToken(input: { id: $id }) {\n      token {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    setDirectiveActive(input: { id: $id, active: false }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    updateDirective(input: { id: $id, title: \"x\" }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeAllowlistEntry(input: { id: $id }) {\n      entry {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeWorkerImage(input: { id: $id }) {\n      workerImage {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    launchRun(input: { directiveId: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation IdsByIdMutations($id: ID!) {\n    cancelRun(input: { id: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    revokeApiToken(input: { id: $id }) {\n      token {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    setDirectiveActive(input: { id: $id, active: false }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    updateDirective(input: { id: $id, title: \"x\" }) {\n      directive {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeAllowlistEntry(input: { id: $id }) {\n      entry {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    removeWorkerImage(input: { id: $id }) {\n      workerImage {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n    launchRun(input: { directiveId: $id }) {\n      run {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdsRunsAfter($after: String) {\n    runs(after: $after) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query IdsRunsAfter($after: String) {\n    runs(after: $after) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query IdsDirectivesBefore($before: String) {\n    directives(last: 1, before: $before) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query IdsDirectivesBefore($before: String) {\n    directives(last: 1, before: $before) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateIntervalSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateIntervalSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableSchedule($id: ID!) {\n    setScheduleEnabled(input: { id: $id, enabled: false }) {\n      errors {\n        code\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DisableSchedule($id: ID!) {\n    setScheduleEnabled(input: { id: $id, enabled: false }) {\n      errors {\n        code\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ScheduleFields on Schedule {\n    id\n    name\n    kind\n    cronExpression\n    timeZone\n    intervalSeconds\n    enabled\n    nextRunAt\n    lastRunAt\n    overlapPolicy\n    missedTickPolicy\n    tasks\n    taskConfig\n  }\n"): (typeof documents)["\n  fragment ScheduleFields on Schedule {\n    id\n    name\n    kind\n    cronExpression\n    timeZone\n    intervalSeconds\n    enabled\n    nextRunAt\n    lastRunAt\n    overlapPolicy\n    missedTickPolicy\n    tasks\n    taskConfig\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSchedule($input: CreateScheduleInput!) {\n    createSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateSchedule($input: UpdateScheduleInput!) {\n    updateSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateSchedule($input: UpdateScheduleInput!) {\n    updateSchedule(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetScheduleEnabled($input: SetScheduleEnabledInput!) {\n    setScheduleEnabled(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetScheduleEnabled($input: SetScheduleEnabledInput!) {\n    setScheduleEnabled(input: $input) {\n      schedule {\n        ...ScheduleFields\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSchedule($input: ScheduleIdInput!) {\n    deleteSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteSchedule($input: ScheduleIdInput!) {\n    deleteSchedule(input: $input) {\n      schedule {\n        id\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunScheduleNow($input: ScheduleIdInput!) {\n    runScheduleNow(input: $input) {\n      run {\n        id\n        status\n        directiveSnapshot\n        trigger {\n          kind\n          token\n          schedule {\n            id\n            name\n          }\n        }\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RunScheduleNow($input: ScheduleIdInput!) {\n    runScheduleNow(input: $input) {\n      run {\n        id\n        status\n        directiveSnapshot\n        trigger {\n          kind\n          token\n          schedule {\n            id\n            name\n          }\n        }\n      }\n      errors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetSchedule($id: ID!) {\n    schedule(id: $id) {\n      ...ScheduleFields\n      ticks(first: 20) {\n        totalCount\n        edges {\n          node {\n            dueAt\n            outcome\n            reason\n            manual\n            run {\n              id\n              trigger {\n                kind\n              }\n            }\n          }\n        }\n      }\n      runs(first: 1) {\n        totalCount\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetSchedule($id: ID!) {\n    schedule(id: $id) {\n      ...ScheduleFields\n      ticks(first: 20) {\n        totalCount\n        edges {\n          node {\n            dueAt\n            outcome\n            reason\n            manual\n            run {\n              id\n              trigger {\n                kind\n              }\n            }\n          }\n        }\n      }\n      runs(first: 1) {\n        totalCount\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListSchedules($enabled: Boolean) {\n    schedules(enabled: $enabled, first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListSchedules($enabled: Boolean) {\n    schedules(enabled: $enabled, first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunTrigger($id: ID!) {\n    run(id: $id) {\n      trigger {\n        kind\n        token\n        schedule {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunTrigger($id: ID!) {\n    run(id: $id) {\n      trigger {\n        kind\n        token\n        schedule {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ScheduleChanged {\n    scheduleChanged {\n      change\n      scheduleId\n      schedule {\n        name\n        enabled\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ScheduleChanged {\n    scheduleChanged {\n      change\n      scheduleId\n      schedule {\n        name\n        enabled\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecurityNodeById($id: ID!) {\n    node(id: $id) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on AuditEvent {\n        target\n      }\n    }\n  }\n"): (typeof documents)["\n  query SecurityNodeById($id: ID!) {\n    node(id: $id) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on AuditEvent {\n        target\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecurityNodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on Run {\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query SecurityNodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      id\n      __typename\n      ... on ApiToken {\n        name\n        prefix\n      }\n      ... on Run {\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserErrorFields on UserError {\n    code\n    field\n    message\n  }\n"): (typeof documents)["\n  fragment UserErrorFields on UserError {\n    code\n    field\n    message\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DirectiveFields on Directive {\n    id\n    name\n    type\n    title\n    description\n    text\n    taskConfig\n    version\n    isLatest\n    active\n    approvalRequired\n    builtin\n  }\n"): (typeof documents)["\n  fragment DirectiveFields on Directive {\n    id\n    name\n    type\n    title\n    description\n    text\n    taskConfig\n    version\n    isLatest\n    active\n    approvalRequired\n    builtin\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListDirectives($type: DirectiveType, $active: Boolean, $allVersions: Boolean, $first: Int, $after: String) {\n    directives(type: $type, active: $active, allVersions: $allVersions, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...DirectiveFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListDirectives($type: DirectiveType, $active: Boolean, $allVersions: Boolean, $first: Int, $after: String) {\n    directives(type: $type, active: $active, allVersions: $allVersions, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...DirectiveFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetDirective($id: ID!) {\n    directive(id: $id) {\n      ...DirectiveFields\n      versions {\n        id\n        version\n        title\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetDirective($id: ID!) {\n    directive(id: $id) {\n      ...DirectiveFields\n      versions {\n        id\n        version\n        title\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDirective($input: CreateDirectiveInput!) {\n    createDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDirective($input: CreateDirectiveInput!) {\n    createDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDirective($input: UpdateDirectiveInput!) {\n    updateDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateDirective($input: UpdateDirectiveInput!) {\n    updateDirective(input: $input) {\n      directive {\n        ...DirectiveFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDirectiveActive($input: SetDirectiveActiveInput!) {\n    setDirectiveActive(input: $input) {\n      directive {\n        id\n        active\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetDirectiveActive($input: SetDirectiveActiveInput!) {\n    setDirectiveActive(input: $input) {\n      directive {\n        id\n        active\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunFields on Run {\n    id\n    status\n    tasks\n    directiveSnapshot\n    directive {\n      id\n      name\n      version\n    }\n    jobCount\n    createdAt\n    startedAt\n    endedAt\n    error\n    sequence\n    tokenUsage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n    jobs {\n      id\n      taskKey\n      status\n      exitCode\n      result\n      error\n      sequence\n    }\n  }\n"): (typeof documents)["\n  fragment RunFields on Run {\n    id\n    status\n    tasks\n    directiveSnapshot\n    directive {\n      id\n      name\n      version\n    }\n    jobCount\n    createdAt\n    startedAt\n    endedAt\n    error\n    sequence\n    tokenUsage {\n      promptTokens\n      completionTokens\n      totalTokens\n    }\n    jobs {\n      id\n      taskKey\n      status\n      exitCode\n      result\n      error\n      sequence\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LaunchRun($input: LaunchRunInput) {\n    launchRun(input: $input) {\n      run {\n        ...RunFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LaunchRun($input: LaunchRunInput) {\n    launchRun(input: $input) {\n      run {\n        ...RunFields\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($input: CancelRunInput!) {\n    cancelRun(input: $input) {\n      run {\n        ...RunFields\n        report {\n          markdown\n          json\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelRun($input: CancelRunInput!) {\n    cancelRun(input: $input) {\n      run {\n        ...RunFields\n        report {\n          markdown\n          json\n        }\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetRun($id: ID!) {\n    run(id: $id) {\n      ...RunFields\n      report {\n        markdown\n        json\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetRun($id: ID!) {\n    run(id: $id) {\n      ...RunFields\n      report {\n        markdown\n        json\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id\n      taskKey\n      status\n      attempt\n      run {\n        id\n      }\n      llmCalls {\n        id\n        model\n        promptTokens\n        completionTokens\n        totalTokens\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      id\n      taskKey\n      status\n      attempt\n      run {\n        id\n      }\n      llmCalls {\n        id\n        model\n        promptTokens\n        completionTokens\n        totalTokens\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListRuns($status: RunStatus, $first: Int, $after: String) {\n    runs(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListRuns($status: RunStatus, $first: Int, $after: String) {\n    runs(status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunsWithRelations {\n    runs(first: 50) {\n      edges {\n        node {\n          jobs {\n            id\n          }\n          directive {\n            id\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunsWithRelations {\n    runs(first: 50) {\n      edges {\n        node {\n          jobs {\n            id\n          }\n          directive {\n            id\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunsSinceLastSuccess($task: String) {\n    runsSinceLastSuccess(task: $task) {\n      lastSuccess {\n        id\n        status\n      }\n      runs {\n        id\n        status\n      }\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query RunsSinceLastSuccess($task: String) {\n    runsSinceLastSuccess(task: $task) {\n      lastSuccess {\n        id\n        status\n      }\n      runs {\n        id\n        status\n      }\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Nodes($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n      __typename\n    }\n    nodes(ids: $ids) {\n      id\n      __typename\n    }\n  }\n"): (typeof documents)["\n  query Nodes($id: ID!, $ids: [ID!]!) {\n    node(id: $id) {\n      id\n      __typename\n    }\n    nodes(ids: $ids) {\n      id\n      __typename\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskDefinitions {\n    taskDefinitions {\n      id\n      key\n      name\n      enabled\n      kind\n      defaultConfig\n    }\n  }\n"): (typeof documents)["\n  query TaskDefinitions {\n    taskDefinitions {\n      id\n      key\n      name\n      enabled\n      kind\n      defaultConfig\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTaskEnabled($input: SetTaskEnabledInput!) {\n    setTaskEnabled(input: $input) {\n      task {\n        key\n        enabled\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetTaskEnabled($input: SetTaskEnabledInput!) {\n    setTaskEnabled(input: $input) {\n      task {\n        key\n        enabled\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Allowlist {\n    allowlist {\n      id\n      containerName\n      description\n      enabled\n      tags\n      pinnedContainerId\n    }\n    workerImages {\n      id\n      image\n      enabled\n      gpuAllowed\n      memoryBytes\n      pidsLimit\n    }\n  }\n"): (typeof documents)["\n  query Allowlist {\n    allowlist {\n      id\n      containerName\n      description\n      enabled\n      tags\n      pinnedContainerId\n    }\n    workerImages {\n      id\n      image\n      enabled\n      gpuAllowed\n      memoryBytes\n      pidsLimit\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpsertAllowlistEntry($input: UpsertAllowlistEntryInput!) {\n    upsertAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n        enabled\n        description\n        tags\n        pinnedContainerId\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpsertAllowlistEntry($input: UpsertAllowlistEntryInput!) {\n    upsertAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n        enabled\n        description\n        tags\n        pinnedContainerId\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveAllowlistEntry($input: RemoveAllowlistEntryInput!) {\n    removeAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveAllowlistEntry($input: RemoveAllowlistEntryInput!) {\n    removeAllowlistEntry(input: $input) {\n      entry {\n        id\n        containerName\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpsertWorkerImage($input: UpsertWorkerImageInput!) {\n    upsertWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n        enabled\n        gpuAllowed\n        memoryBytes\n        nanoCpus\n        pidsLimit\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpsertWorkerImage($input: UpsertWorkerImageInput!) {\n    upsertWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n        enabled\n        gpuAllowed\n        memoryBytes\n        nanoCpus\n        pidsLimit\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveWorkerImage($input: RemoveWorkerImageInput!) {\n    removeWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveWorkerImage($input: RemoveWorkerImageInput!) {\n    removeWorkerImage(input: $input) {\n      workerImage {\n        id\n        image\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TokenUsage($since: DateTime, $until: DateTime, $groupBy: [UsageDimension!]) {\n    tokenUsage(since: $since, until: $until, groupBy: $groupBy) {\n      totals {\n        calls\n        failedCalls\n        promptTokens\n        completionTokens\n        totalTokens\n        cost\n      }\n      groups {\n        model\n        directive\n        task\n        calls\n        totalTokens\n        cost\n      }\n    }\n  }\n"): (typeof documents)["\n  query TokenUsage($since: DateTime, $until: DateTime, $groupBy: [UsageDimension!]) {\n    tokenUsage(since: $since, until: $until, groupBy: $groupBy) {\n      totals {\n        calls\n        failedCalls\n        promptTokens\n        completionTokens\n        totalTokens\n        cost\n      }\n      groups {\n        model\n        directive\n        task\n        calls\n        totalTokens\n        cost\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($allowed: Boolean, $target: String) {\n    auditEvents(allowed: $allowed, target: $target, first: 100) {\n      edges {\n        node {\n          action\n          target\n          allowed\n          reason\n          run {\n            id\n          }\n          job {\n            id\n          }\n          count\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($allowed: Boolean, $target: String) {\n    auditEvents(allowed: $allowed, target: $target, first: 100) {\n      edges {\n        node {\n          action\n          target\n          allowed\n          reason\n          run {\n            id\n          }\n          job {\n            id\n          }\n          count\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpsertContainerTask($input: UpsertContainerTaskInput!) {\n    upsertContainerTask(input: $input) {\n      task {\n        id\n        key\n        kind\n        image\n        command\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpsertContainerTask($input: UpsertContainerTaskInput!) {\n    upsertContainerTask(input: $input) {\n      task {\n        id\n        key\n        kind\n        image\n        command\n        timeoutSeconds\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunReport($id: ID!) {\n    run(id: $id) {\n      status\n      report {\n        markdown\n        json\n      }\n      jobs {\n        taskKey\n        status\n        error\n        exitCode\n        result\n        llmCalls {\n          model\n          succeeded\n          promptTokens\n          completionTokens\n          totalTokens\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunReport($id: ID!) {\n    run(id: $id) {\n      status\n      report {\n        markdown\n        json\n      }\n      jobs {\n        taskKey\n        status\n        error\n        exitCode\n        result\n        llmCalls {\n          model\n          succeeded\n          promptTokens\n          completionTokens\n          totalTokens\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        role\n        prefix\n      }\n      secret\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token {\n        id\n        name\n        role\n        prefix\n      }\n      secret\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($input: RevokeApiTokenInput!) {\n    revokeApiToken(input: $input) {\n      token {\n        id\n        revokedAt\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($input: RevokeApiTokenInput!) {\n    revokeApiToken(input: $input) {\n      token {\n        id\n        revokedAt\n      }\n      errors {\n        ...UserErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      role\n      prefix\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      role\n      prefix\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription JobStatusChanged($runId: ID!) {\n    jobStatusChanged(runId: $runId) {\n      job {\n        id\n      }\n      taskKey\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n"): (typeof documents)["\n  subscription JobStatusChanged($runId: ID!) {\n    jobStatusChanged(runId: $runId) {\n      job {\n        id\n      }\n      taskKey\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunStatusChanged($runId: ID) {\n    runStatusChanged(runId: $runId) {\n      run {\n        id\n      }\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n"): (typeof documents)["\n  subscription RunStatusChanged($runId: ID) {\n    runStatusChanged(runId: $runId) {\n      run {\n        id\n      }\n      status\n      previousStatus\n      sequence\n      at\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunEvents($runId: ID!) {\n    runEvents(runId: $runId) {\n      __typename\n      ... on JobStatusEvent {\n        job {\n          id\n        }\n        taskKey\n        status\n        previousStatus\n        sequence\n      }\n      ... on RunStatusEvent {\n        run {\n          id\n        }\n        runStatus\n        previousRunStatus\n        sequence\n      }\n      ... on JobLogEvent {\n        job {\n          id\n        }\n        line\n        afterSequence\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RunEvents($runId: ID!) {\n    runEvents(runId: $runId) {\n      __typename\n      ... on JobStatusEvent {\n        job {\n          id\n        }\n        taskKey\n        status\n        previousStatus\n        sequence\n      }\n      ... on RunStatusEvent {\n        run {\n          id\n        }\n        runStatus\n        previousRunStatus\n        sequence\n      }\n      ... on JobLogEvent {\n        job {\n          id\n        }\n        line\n        afterSequence\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;