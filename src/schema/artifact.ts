// Run artifacts: the files a run left under CYBER_BRAIN_LOGS/runs/<id>/, listed on Run.
import { encodeGlobalID } from '../contracts/ids.js';
import { builder } from '../builder.js';
import { artifactPath } from '../services/artifacts.js';

const RunArtifactTypeEnum = builder.enumType('RunArtifactType', {
  description: 'What an artifact file holds.',
  values: {
    REPORT_MARKDOWN: { description: 'The run report as markdown (report.md).' },
    REPORT_JSON: { description: 'The run report as JSON (report.json).' },
    JOB_RESULT: { description: 'One job’s status, error and result as JSON (job-<id>-<task>.result.json).' },
    JOB_OUTPUT: { description: 'A container task’s redacted stdout and stderr (job-<id>-<task>.output.log).' },
  },
});

builder.prismaObject('RunArtifact', {
  description: 'A file written when the run ended (redacted), downloadable with the same tokens as the API.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'File name inside the run’s folder.' }),
    type: t.expose('type', { type: RunArtifactTypeEnum, description: 'What the file holds.' }),
    sizeBytes: t.exposeInt('sizeBytes', { description: 'Size of the file in bytes.' }),
    mimeType: t.exposeString('mimeType', { description: 'Content-Type the download is served with.' }),
    sha256: t.exposeString('sha256', { description: 'SHA-256 of the file’s bytes (hex); also the download’s ETag.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was written; ARTIFACT_RETENTION_DAYS counts from here.' }),
    job: t.prismaField({
      type: 'Job',
      nullable: true,
      description: 'The job whose record or output it is; null for the run’s report.',
      resolve: (query, a, _args, ctx) => (a.jobId == null ? null : ctx.db.job.findUnique({ ...query, where: { id: a.jobId } })),
    }),
    downloadUrl: t.string({
      description: 'Path of the HTTP download, relative to this server (GET with `Authorization: Bearer <token>`, READ role or above).',
      resolve: (a) => artifactPath(encodeGlobalID('Run', a.runId), a.name),
    }),
  }),
});

builder.prismaObjectField('Run', 'artifacts', (t) =>
  t.relation('artifacts', {
    description: 'Files the run left under CYBER_BRAIN_LOGS/runs/<id>/ once it ended (reports first, then each job’s); empty before that and after retention.',
    query: { orderBy: { id: 'asc' } },
  }),
);
