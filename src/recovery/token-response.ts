/**
 * OAuth 2.0 token endpoint responses (RFC 6749 §5.1 success, §5.2 error), as answered by a
 * `cookie-endpoint` refresh URL or the `oauth-silent` token URL.
 *
 * The access token never appears in an error message, an error property or a log line:
 * errors carry the §5.2 `error` code, the HTTP status and a redacted description only.
 */
import { z } from 'zod';
import { redactString } from '../redact/redact';

/** Error codes of RFC 6749 §5.2. */
export const OAUTH_TOKEN_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
] as const;
export type OAuthTokenErrorCode = (typeof OAUTH_TOKEN_ERROR_CODES)[number];

/**
 * What went wrong: a §5.2 code (or an extension code the server sent, e.g. OpenID Connect's
 * `login_required`), `http_error` for a non-2xx answer without an OAuth error body, or
 * `invalid_response` for a 2xx answer that is not a usable token response.
 */
export type TokenErrorCode = OAuthTokenErrorCode | 'http_error' | 'invalid_response' | (string & {});

/** A token endpoint refused, failed, or answered something unusable. Never holds a token. */
export class TokenResponseError extends Error {
  override readonly name = 'TokenResponseError';
  /** The §5.2 `error` value (sanitised), or `http_error` / `invalid_response`. */
  readonly code: TokenErrorCode;
  /** HTTP status of the answer. */
  readonly status: number;
  /** `error_description`, redacted and at most 200 characters. */
  readonly description?: string;
  /** `error_uri`, redacted. */
  readonly uri?: string;

  constructor(code: TokenErrorCode, status: number, message: string, details: { description?: string; uri?: string } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    if (details.description !== undefined) this.description = details.description;
    if (details.uri !== undefined) this.uri = details.uri;
  }
}

/** A usable token response. */
export interface TokenResponse {
  accessToken: string;
  /** Always `Bearer` (RFC 6750); other types are rejected. */
  tokenType: 'Bearer';
  /** Epoch ms when the token expires: `now + expires_in·1000`, when `expires_in` was given. */
  expiresAt?: number;
  /** `expires_in` as given, seconds. */
  expiresInSeconds?: number;
  refreshToken?: string;
  scope?: string;
}

/** RFC 6750 §2.1 b64token: what can go after `Bearer ` without breaking the header. */
const B64TOKEN_RE = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 6749 §5.2 / Appendix A.7: the characters an `error` code may use. */
const ERROR_CODE_RE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
const MAX_TOKEN_LENGTH = 8192;

const seconds = z.union([
  z.number(),
  // Some servers send `"3600"`; accepted, as the value is unambiguous.
  z
    .string()
    .regex(/^\d{1,10}(\.\d+)?$/)
    .transform(Number),
]);

const SuccessSchema = z.object({
  access_token: z.string(),
  token_type: z.string().optional(),
  expires_in: seconds.optional().catch(undefined),
  refresh_token: z.string().max(MAX_TOKEN_LENGTH).optional().catch(undefined),
  scope: z.string().max(4096).optional().catch(undefined),
});

const ErrorSchema = z.object({
  error: z.string().min(1),
  error_description: z.string().optional().catch(undefined),
  error_uri: z.string().optional().catch(undefined),
});

/**
 * Parses a token endpoint's answer.
 * @param status HTTP status of the response
 * @param body the parsed JSON body, or its text (parsed here), or null when there was none
 * @param now epoch ms at which the response arrived, for `expiresAt`
 * @returns the token; `token_type` may be absent (taken as Bearer, as the servers that omit it
 *   mean) but any other type is refused; an `expires_in` that is not a positive finite
 *   number is ignored
 * @throws {TokenResponseError} for a §5.2 error body (whatever the status), a non-2xx status,
 *   or a 2xx body without a usable `access_token`
 */
export function parseTokenResponse(status: number, body: unknown, now: number): TokenResponse {
  const data = typeof body === 'string' ? parseJson(body) : body;

  const err = ErrorSchema.safeParse(data);
  if (err.success) throw oauthError(status, err.data, tokenIn(data));

  if (!(status >= 200 && status < 300)) {
    throw new TokenResponseError('http_error', status, `token endpoint answered HTTP ${status}`);
  }

  const ok = SuccessSchema.safeParse(data);
  if (!ok.success) {
    const hasToken = !!data && typeof data === 'object' && 'access_token' in data;
    throw invalid(status, hasToken ? 'access_token is not a string' : 'no access_token in the response');
  }
  const { access_token: accessToken, token_type: tokenType, expires_in: expiresIn } = ok.data;
  if (accessToken.length === 0) throw invalid(status, 'access_token is empty');
  if (accessToken.length > MAX_TOKEN_LENGTH) throw invalid(status, `access_token is longer than ${MAX_TOKEN_LENGTH} characters`);
  if (!B64TOKEN_RE.test(accessToken)) throw invalid(status, 'access_token has characters a Bearer header cannot carry');
  if (tokenType !== undefined && tokenType.toLowerCase() !== 'bearer') {
    const shown = /^[\w.-]{1,32}$/.test(tokenType) && !tokenType.includes(accessToken) ? ` "${tokenType}"` : '';
    throw invalid(status, `token_type${shown} is not Bearer`);
  }

  const result: TokenResponse = { accessToken, tokenType: 'Bearer' };
  if (expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) {
    result.expiresInSeconds = expiresIn;
    // At least 1 ms: a sub-millisecond `expires_in` still means "expires after now".
    result.expiresAt = now + Math.max(1, Math.round(expiresIn * 1000));
  }
  if (ok.data.refresh_token) result.refreshToken = ok.data.refresh_token;
  if (ok.data.scope !== undefined) result.scope = ok.data.scope;
  return result;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function invalid(status: number, why: string): TokenResponseError {
  return new TokenResponseError('invalid_response', status, `token response unusable: ${why}`);
}

/** An access token in an error body, so an echo of it in the description can be removed. */
function tokenIn(data: unknown): string | undefined {
  const t = (data as { access_token?: unknown }).access_token;
  return typeof t === 'string' && t.length >= 8 ? t : undefined;
}

function scrub(text: string, token: string | undefined, max: number): string {
  const plain = token ? text.split(token).join('[redacted]') : text;
  return redactString(plain).slice(0, max);
}

function oauthError(status: number, e: z.infer<typeof ErrorSchema>, token: string | undefined): TokenResponseError {
  const code = ERROR_CODE_RE.test(e.error) && (!token || !e.error.includes(token)) ? e.error : 'invalid_response';
  const description = e.error_description !== undefined ? scrub(e.error_description, token, 200) : undefined;
  const uri = e.error_uri !== undefined ? scrub(e.error_uri, token, 512) : undefined;
  const message = scrub(`token endpoint refused: ${code}${description ? ` (${description})` : ''}`, token, 300);
  return new TokenResponseError(code, status, message, {
    ...(description !== undefined ? { description } : {}),
    ...(uri !== undefined ? { uri } : {}),
  });
}
