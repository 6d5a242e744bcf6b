// What this server is: its version (package.json, through src/version.ts), for clients and operators.
import { builder } from '../builder.js';
import { VERSION } from '../version.js';

const ServerInfoRef = builder.objectRef<{ version: string }>('ServerInfo').implement({
  description: 'The server answering this request.',
  fields: (t) => ({
    version: t.exposeString('version', { description: 'Product version (semantic versioning), as in /healthz and the CHANGELOG.' }),
  }),
});

builder.queryField('serverInfo', (t) =>
  t.field({ type: ServerInfoRef, description: 'The server’s version. Any role may read it.', resolve: () => ({ version: VERSION }) }),
);
