// A channel's write-only values: what must be masked wherever an error or log line could carry
// them, and the preview the API may show instead. Slack and Discord put the token in the URL's
// path, a generic webhook often in its query, so the URL's parts are masked as well as the whole.

/** Every value of the channel that must never be shown: URL (and its token-bearing parts), secret, SMTP password. */
export function channelSecrets(channel: { url: string | null; secret: string | null }): string[] {
  const out: string[] = [];
  if (channel.secret) out.push(channel.secret);
  if (channel.url) {
    out.push(channel.url);
    if (URL.canParse(channel.url)) {
      const u = new URL(channel.url);
      out.push(`${u.host}${u.pathname}${u.search}`, `${u.pathname}${u.search}`, u.search.slice(1));
      // A token-like path segment (Slack's T…/B…/secret, Discord's id/token) or query value.
      for (const seg of u.pathname.split('/')) if (seg.length >= 20 || (seg.length >= 6 && /\d/.test(seg))) out.push(decodeURIComponent(seg), seg);
      for (const v of u.searchParams.values()) out.push(v);
      if (u.password) out.push(u.password);
    }
  }
  // Trivial values would mask ordinary words; the redactor also masks encoded forms of these.
  return [...new Set(out)].filter((s) => s.length >= 6);
}

/** `https://hooks.slack.com/…/****`: scheme and host, the rest hidden. */
export function urlPreview(url: string | null): string | null {
  if (!url || !URL.canParse(url)) return null;
  const u = new URL(url);
  const hidden = u.pathname.length > 1 || u.search ? '/…/****' : '/';
  return `${u.protocol}//${u.host}${hidden}`;
}
