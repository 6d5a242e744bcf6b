// GraphiQL from the installed npm package only: Yoga's default page loads its assets from a public
// CDN (a blank page on a host without internet). The bundle of @graphql-yoga/render-graphiql is
// served from our own /graphiql/assets/, the page names no other host (and its CSP allows none).
// With auth on, the page asks for an API token first (no 401 on the first screen) and sends it
// on HTTP and as the graphql-ws connection_init payload, so subscriptions work too.
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

export const GRAPHIQL_ASSETS = '/graphiql/assets/';

/** GraphiQL's first tab (a test validates it against the schema). */
export const DEFAULT_QUERY = `# Cyberbrain Orchestrator: Ctrl-Enter runs the operation under the cursor.
# The README's examples (Launch, Watch, Report) work as they are.
query RecentRuns {
  runs(first: 5) {
    totalCount
    edges { node { id status tasks createdAt } }
  }
}
`;

interface Asset {
  body: string | Uint8Array<ArrayBuffer>;
  type: string;
}

/** The page's own script: token bar, Monaco's worker URLs, then Yoga's GraphiQL renderer. */
const START_SCRIPT = `(() => {
  const options = JSON.parse(document.getElementById('graphiql-options').textContent);
  const KEY = 'cyberbrain.graphiql.token';
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const state = document.getElementById('token-state');
  const token = sessionStorage.getItem(KEY);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim().replace(/^Bearer\\s+/i, '');
    if (!value) return;
    sessionStorage.setItem(KEY, value);
    location.reload();
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    location.reload();
  });
  state.textContent = token ? 'Using the token from this tab.' : options.authRequired ? 'This server needs an API token.' : 'Authentication is off.';
  // Without a token an auth-on server would answer the schema fetch with 401: ask first.
  if (options.authRequired && !token) {
    document.body.classList.add('needs-token');
    input.focus();
    return;
  }
  const WORKERS = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_moduleId, label) => options.assets + (WORKERS[label] || WORKERS.editorWorkerService) };
  const authorization = token ? 'Bearer ' + token : undefined;
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), {
    ...options.graphiql,
    additionalHeaders: authorization ? { authorization } : {},
    connectionParams: () => (authorization ? { authorization } : {}),
  });
})();
`;

const PAGE_STYLE = `body{display:flex;flex-direction:column;height:100vh;margin:0}
#token-form{display:flex;gap:.5em;align-items:center;padding:.4em .8em;font:14px system-ui,sans-serif;border-bottom:1px solid #ccc}
#token-form input{flex:0 1 28em;font:inherit;padding:.2em .4em}
#token-state{color:#555}
body.needs-token #token-state{color:#b00;font-weight:600}
#root{flex:1;min-height:0}
#root .graphiql-container{height:100%;width:100%}`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside <script type="application/json">: `<` escaped so no text can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export interface GraphiQLPageOptions extends GraphiQLOptions {
  authRequired?: boolean;
}

/** Yoga's `renderGraphiQL`: a small page that loads everything from GRAPHIQL_ASSETS. */
export function renderGraphiQLPage(options: GraphiQLPageOptions): string {
  const { authRequired = false, ...graphiql } = options;
  const title = escapeHtml(graphiql.title ?? 'GraphiQL');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · GraphiQL</title>
<link rel="icon" href="${GRAPHIQL_ASSETS}favicon.ico">
<link rel="stylesheet" href="${GRAPHIQL_ASSETS}graphiql.css">
<link rel="stylesheet" href="${GRAPHIQL_ASSETS}page.css">
</head>
<body class="graphiql-page">
<form id="token-form" autocomplete="off">
<label for="token-input">API token</label>
<input id="token-input" name="token" type="password" placeholder="paste a token (Bearer …)">
<button type="submit">Use token</button>
<button type="button" id="token-forget">Forget</button>
<span id="token-state"></span>
</form>
<div id="root"></div>
<script type="application/json" id="graphiql-options">${scriptJson({ authRequired, assets: GRAPHIQL_ASSETS, graphiql })}</script>
<script src="${GRAPHIQL_ASSETS}graphiql.js"></script>
<script src="${GRAPHIQL_ASSETS}start.js"></script>
</body>
</html>`;
}

/** Same-origin only: nothing on the page may reach another host. */
export const GRAPHIQL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let assets: Promise<Map<string, Asset>> | null = null;
/** The 9 MB bundle is imported on the first GraphiQL request, not at start. */
function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= import('@graphql-yoga/render-graphiql/graphiql').then((m) => {
    const js = 'text/javascript; charset=utf-8';
    const favicon = m.favicon.match(/^data:([^;]+);base64,(.*)$/);
    return new Map<string, Asset>([
      ['graphiql.js', { body: m.js, type: js }],
      ['graphiql.css', { body: m.css, type: 'text/css; charset=utf-8' }],
      ['page.css', { body: PAGE_STYLE, type: 'text/css; charset=utf-8' }],
      ['start.js', { body: START_SCRIPT, type: js }],
      ['editor.worker.js', { body: m.editorWorkerService, type: js }],
      ['json.worker.js', { body: m.jsonWorker, type: js }],
      ['graphql.worker.js', { body: m.graphqlWorker, type: js }],
      ...(favicon ? ([['favicon.ico', { body: new Uint8Array(Buffer.from(favicon[2]!, 'base64')), type: favicon[1]! }]] as const) : []),
    ]);
  });
  return assets;
}

/** Serves GRAPHIQL_ASSETS and puts the CSP on the GraphiQL page itself. */
export function graphiqlAssets(graphqlEndpoint: string): Plugin {
  return {
    async onRequest({ url, request, endResponse }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS) || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const asset = (await loadAssets()).get(url.pathname.slice(GRAPHIQL_ASSETS.length));
      if (!asset) return endResponse(new Response('not found', { status: 404 }));
      endResponse(new Response(asset.body, { headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' } }));
    },
    onResponse({ request, response }) {
      const path = new URL(request.url).pathname;
      if ((path === graphqlEndpoint || path === `${graphqlEndpoint}/`) && response.headers.get('content-type')?.startsWith('text/html')) {
        response.headers.set('content-security-policy', GRAPHIQL_CSP);
        response.headers.set('x-content-type-options', 'nosniff');
      }
    },
  };
}

/** Yoga's `graphiql` option: the page learns per request whether it must ask for a token first. */
export function graphiqlOptions(title: string, authEnabled: () => Promise<boolean>) {
  return async (): Promise<GraphiQLPageOptions> => ({ title, subscriptionsProtocol: 'WS', defaultQuery: DEFAULT_QUERY, authRequired: await authEnabled() });
}
