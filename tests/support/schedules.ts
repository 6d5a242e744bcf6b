// The schedule operations the schedules*.test.ts files share (typed by `npm run codegen`).
import { graphql } from '../gql/index.js';

export const ScheduleFields = graphql(`
  fragment ScheduleFields on Schedule {
    id
    name
    kind
    cronExpression
    timeZone
    intervalSeconds
    enabled
    nextRunAt
    lastRunAt
    overlapPolicy
    missedTickPolicy
    tasks
    taskConfig
  }
`);

export const CreateSchedule = graphql(`
  mutation CreateSchedule($input: CreateScheduleInput!) {
    createSchedule(input: $input) {
      schedule {
        ...ScheduleFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const SetScheduleEnabled = graphql(`
  mutation SetScheduleEnabled($input: SetScheduleEnabledInput!) {
    setScheduleEnabled(input: $input) {
      schedule {
        ...ScheduleFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);
