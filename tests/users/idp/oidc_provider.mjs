// A real OpenID Connect provider for the browser tests: the certified `oidc-provider` package, one client
// (the helpdesk under test), accounts read afresh from a JSON file at each sign-in so that a test can change
// a person's attributes between two logins. Started and stopped by tests/users/idp/servers.py.
//
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS, OIDC_POST_LOGOUT_URIS (comma lists),
//   OIDC_ACCOUNTS (path of {"login": {"password": "...", "attributes": {claim: value}}})
import { readFileSync } from 'node:fs';
import { parse } from 'node:querystring';

import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = () => JSON.parse(readFileSync(env.OIDC_ACCOUNTS, 'utf8'));
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
  + `<body><h1>${escape(title)}</h1>${body}</body></html>`;

function loginForm(uid, error = '') {
  return page('Test identity provider', `${error ? `<p role="alert">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${escape(uid)}">
      <label>Login <input name="login" autocomplete="username" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
    </form>`);
}

const configuration = {
  clients: [{
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    redirect_uris: env.OIDC_REDIRECT_URIS.split(','),
    post_logout_redirect_uris: env.OIDC_POST_LOGOUT_URIS.split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // FrEdu-style claims (function code, schools' UAI) under a scope of their own, as an académie would.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    fredu: ['title', 'FrEduRne'],
  },
  scopes: ['openid', 'email', 'profile', 'fredu'],
  pkce: { required: () => true },
  cookies: { keys: ['tests-only-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out of the test identity provider?', `${form}
          <button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out of the test identity provider.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ ...account.attributes, sub: id }) };
  },
  // First-party client: no consent screen, every requested scope granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    const existing = grantId && await ctx.oidc.provider.Grant.find(grantId);
    if (existing) return existing;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  if (ctx.method === 'GET') {
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const { login = '', password = '' } = parse(Buffer.concat(chunks).toString());
  const account = accounts()[login];
  if (!account || account.password !== password) {
    ctx.status = 401;
    ctx.body = loginForm(details.uid, 'Unknown login or wrong password.');
    return undefined;
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ready on ${issuer}`));
