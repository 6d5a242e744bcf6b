// The notification-channel operations and delivery-log polling that the notification tests share
// (typed by `npm run codegen`).
import { graphql } from '../gql/index.js';
import type { TestApp } from './app.js';
import { until } from './wait.js';

/** Everything the API shows of a channel (never its URL, secret or password). */
export const NotificationChannelFields = graphql(`
  fragment NotificationChannelFields on NotificationChannel {
    id
    name
    kind
    urlHost
    urlPreview
    email {
      host
      port
      security
      user
      passwordSet
      from
      to
    }
    events
    scheduleIds
    directiveIds
    enabled
  }
`);

export const CreateNotificationChannel = graphql(`
  mutation CreateNotificationChannel($input: CreateNotificationChannelInput!) {
    createNotificationChannel(input: $input) {
      channel {
        ...NotificationChannelFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const UpdateNotificationChannel = graphql(`
  mutation UpdateNotificationChannel($input: UpdateNotificationChannelInput!) {
    updateNotificationChannel(input: $input) {
      channel {
        ...NotificationChannelFields
      }
      errors {
        ...UserErrorFields
      }
    }
  }
`);

export const SetNotificationChannelEnabled = graphql(`
  mutation SetNotificationChannelEnabled($input: SetNotificationChannelEnabledInput!) {
    setNotificationChannelEnabled(input: $input) {
      channel {
        id
        enabled
      }
      errors {
        code
        field
        message
      }
    }
  }
`);

export const TestNotificationChannel = graphql(`
  mutation TestNotificationChannel($input: NotificationChannelIdInput!) {
    testNotificationChannel(input: $input) {
      queued {
        deliveryId
      }
      errors {
        code
        field
      }
    }
  }
`);

export const NotificationChannelLog = graphql(`
  query NotificationChannelLog($id: ID!) {
    notificationChannel(id: $id) {
      name
      urlHost
      urlPreview
      email {
        passwordSet
      }
      deliveries(first: 20) {
        edges {
          node {
            event
            status
            attempts
            httpStatus
            lastError
            payload
            run {
              id
            }
          }
        }
      }
    }
  }
`);

/** The channel's delivery log, newest first. */
export const deliveriesOf = async (t: TestApp, id: string) => (await t.gql(NotificationChannelLog, { id })).data!.notificationChannel!.deliveries.edges.map((e) => e.node);

/** The log once at least `n` deliveries are `status`. */
export const deliveriesWhen = (t: TestApp, id: string, status: 'DELIVERED' | 'FAILED', n = 1, timeoutMs = 30_000) =>
  until(
    `${n} ${status} deliveries`,
    async () => {
      const d = await deliveriesOf(t, id);
      return d.filter((x) => x.status === status).length >= n && d;
    },
    timeoutMs,
  );
