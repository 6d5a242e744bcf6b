// GraphQL documents for fleet routing tests (written out, no codegen: the generated client
// predates these fields), shared by the embedded and the two-engine test files.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';

export interface UserErr {
  code: string;
  message: string;
  field: string[] | null;
}
export interface HostView {
  id: string;
  name: string;
  labels: Record<string, string>;
  dockerVersion: string | null;
  capacity: number;
  activeJobs: number;
  enabled: boolean;
  status: string;
}
export interface RoutedJob {
  id: string;
  taskKey: string;
  status: string;
  error: string | null;
  errorCode: string | null;
  hostName: string | null;
  attempt: number;
  result: unknown;
  host: { id: string; name: string } | null;
}
export interface RoutedRun {
  id: string;
  status: string;
  error: string | null;
  jobs: RoutedJob[];
  report: { markdown: string } | null;
}
export interface LaunchVars {
  tasks?: string[];
  directiveId?: string;
  customDirectiveText?: string;
  hosts?: string[];
  hostSelector?: { labels: Array<{ key: string; value: string }> };
}

const doc = <R, V>(source: string) => parse(source) as TypedDocumentNode<R, V>;

export const WorkerHosts = doc<{ workerHosts: HostView[] }, Record<string, never>>('query WorkerHosts { workerHosts { id name labels dockerVersion capacity activeJobs enabled status } }');
const JOB = 'id taskKey status error errorCode hostName attempt result host { id name }';
export const RoutedLaunch = doc<{ launchRun: { run: RoutedRun | null; errors: UserErr[] } }, { input: LaunchVars }>(
  `mutation RoutedLaunch($input: LaunchRunInput) { launchRun(input: $input) { run { id status error jobs { ${JOB} } report { markdown } } errors { code message field } } }`,
);
export const RoutedRunQuery = doc<{ run: RoutedRun | null }, { id: string }>(`query RoutedRun($id: ID!) { run(id: $id) { id status error jobs { ${JOB} } report { markdown } } }`);
export const SetHostEnabled = doc<{ setWorkerHostEnabled: { workerHost: { id: string; enabled: boolean } | null; errors: UserErr[] } }, { input: { id: string; enabled: boolean } }>(
  'mutation SetHostEnabled($input: SetWorkerHostEnabledInput!) { setWorkerHostEnabled(input: $input) { workerHost { id enabled } errors { code message field } } }',
);
export const ScopedAllowlistEntry = doc<
  { upsertAllowlistEntry: { entry: { id: string; containerName: string; hosts: string[] } | null; errors: UserErr[] } },
  { input: { containerName: string; hosts?: string[] } }
>('mutation ScopedAllowlistEntry($input: UpsertAllowlistEntryInput!) { upsertAllowlistEntry(input: $input) { entry { id containerName hosts } errors { code message field } } }');

export const TERMINAL = ['SUCCESS', 'FAILED', 'CANCELLED', 'PARTIAL'];
