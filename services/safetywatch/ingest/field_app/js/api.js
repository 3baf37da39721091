// Requests to the gateway (the app's own origin; the token goes nowhere else).

export class TokenRefused extends Error {}
export class Unreachable extends Error {}

/** fetch with the unit's token; TokenRefused on 401, Unreachable without a network. */
export async function call(token, path, options = {}) {
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${token}` };
  if (options.body) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (error) {
    throw new Unreachable(navigator.onLine ? "network" : "offline");
  }
  if (response.status === 401) throw new TokenRefused();
  return response;
}

/** The JSON body of a 2xx answer; Unreachable with the status otherwise. */
export async function json(token, path, options = {}) {
  const response = await call(token, path, options);
  if (!response.ok) throw new Unreachable(`HTTP ${response.status}`);
  return response.json();
}

/** Who the token belongs to, and the report schema its form is built from. */
export async function signIn(token) {
  const me = await json(token, "/v1/me");
  const schemaResponse = await fetch(me.schema);
  if (!schemaResponse.ok) throw new Unreachable(`HTTP ${schemaResponse.status}`);
  return { token, me, schema: await schemaResponse.json() };
}
