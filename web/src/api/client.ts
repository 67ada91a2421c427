// The one way the app talks to the gateway: JSON in, JSON out, the caller's token, and
// every failure turned into an ApiError whose `detail` says in words what was wrong —
// the service's own problem+json detail (RFC 9457) when there is one.
import { API_BASE } from '../config'
import type { Collection, Links } from './types'

export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  [extension: string]: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly problem?: Problem
  readonly retryAfter?: number

  constructor(status: number, title: string, detail: string, problem?: Problem, retryAfter?: number) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.title = title
    this.detail = detail
    this.problem = problem
    this.retryAfter = retryAfter
  }
}

export function isProblem(value: unknown): value is Problem {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const v = value as Record<string, unknown>
  return typeof v.detail === 'string' || typeof v.title === 'string'
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

interface ClientSettings {
  baseUrl: string
  token: () => string | null
  /** Runs before each authenticated request: renews a token about to expire. */
  prepare: () => Promise<void>
  /** Renews the tokens after a 401; true when the request is worth sending again. */
  refresh: () => Promise<boolean>
  /** A 401 that renewing did not cure: the session is over. */
  onUnauthorized: (error: ApiError) => void
  fetch: FetchLike
}

const settings: ClientSettings = {
  baseUrl: API_BASE,
  token: () => null,
  prepare: async () => {},
  refresh: async () => false,
  onUnauthorized: () => {},
  fetch: (input, init) => globalThis.fetch(input, init),
}

/** Set where the token comes from and what a 401 does (the session sets these). */
export function configureClient(changes: Partial<ClientSettings>): void {
  Object.assign(settings, changes)
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Send no Authorization header even when logged in (login, sign-up, refresh). */
  anonymous?: boolean
  /** Send this token, as it is: no renewing before or after (logout). */
  token?: string
  /** More request headers (Idempotency-Key). */
  headers?: Record<string, string>
  /** 'include' for the auth calls, which send and receive the refresh cookie. */
  credentials?: RequestCredentials
}

function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('Retry-After')
  if (!value) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) ? seconds : undefined
}

function shortText(text: string): string {
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim()
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain
}

/** Sends a request with the caller's token; a 401 renews the token once and sends it again. */
async function exchange(method: string, path: string, payload: string | undefined, options: RequestOptions) {
  const renewable = !options.anonymous && options.token === undefined
  if (renewable) await settings.prepare()

  const send = async (token: string | null): Promise<Response> => {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers }
    if (token) headers.Authorization = `Bearer ${token}`
    if (payload !== undefined) headers['Content-Type'] = 'application/json'
    try {
      const init: RequestInit = { method, headers, body: payload, signal: options.signal }
      if (options.credentials) init.credentials = options.credentials
      return await settings.fetch(settings.baseUrl + path, init)
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error
      const reason = error instanceof Error ? error.message : String(error)
      throw new ApiError(0, 'Network error', `the gateway could not be reached (${method} ${path}): ${reason}`)
    }
  }

  const token = options.anonymous ? null : (options.token ?? settings.token())
  let response = await send(token)
  // An access token lives 15 minutes: a 401 first renews it (once) and sends the request again.
  if (response.status === 401 && token && renewable && (await settings.refresh())) {
    const renewed = settings.token()
    if (renewed && renewed !== token) response = await send(renewed)
  }
  return { response, sessionEndsOn401: response.status === 401 && token !== null && renewable }
}

function parsed(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A refused answer in words: the service's problem+json detail when there is one. */
function failure(method: string, path: string, response: Response, text: string, data: unknown): ApiError {
  const problem = isProblem(data) ? data : undefined
  const detail =
    problem?.detail ||
    problem?.title ||
    (text && data === undefined ? shortText(text) : '') ||
    `${method} ${path} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  return new ApiError(response.status, problem?.title ?? response.statusText ?? '', detail, problem, retryAfterOf(response))
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  const { response, sessionEndsOn401 } = await exchange(method, path, payload, options)
  const text = await response.text()
  const data = parsed(text)
  if (!response.ok) {
    const error = failure(method, path, response, text, data)
    if (sessionEndsOn401) settings.onUnauthorized(error)
    throw error
  }
  if (text && data === undefined)
    throw new ApiError(response.status, 'Bad answer', `${method} ${path} answered something that is not JSON`)
  return data as T
}

/**
 * Opens a server-sent event stream (GET, text/event-stream) with the caller's token, which
 * EventSource cannot send. Resolves to the open answer, whose body the caller reads; a
 * refusal is an ApiError as for any request, and so is an answer that is not a stream.
 */
export async function openEventStream(path: string, options: { signal?: AbortSignal; lastEventId?: string } = {}) {
  const headers: Record<string, string> = { Accept: 'text/event-stream' }
  if (options.lastEventId) headers['Last-Event-ID'] = options.lastEventId
  const { response, sessionEndsOn401 } = await exchange('GET', path, undefined, { signal: options.signal, headers })
  if (!response.ok) {
    const text = await response.text().catch(() => '')
    const error = failure('GET', path, response, text, parsed(text))
    if (sessionEndsOn401) settings.onUnauthorized(error)
    throw error
  }
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.startsWith('text/event-stream') || !response.body) {
    void response.body?.cancel().catch(() => {})
    throw new ApiError(response.status, 'Not a stream', `GET ${path} answered ${type || 'no Content-Type'}, not text/event-stream`)
  }
  return response
}

/**
 * A stream that ended with a 401 (the token ran out while it was open): renews the token
 * once, as a request would; false when the session is over (then it has ended).
 */
export async function renewAfterRefusal(error: ApiError): Promise<boolean> {
  if (await settings.refresh()) return true
  settings.onUnauthorized(error)
  return false
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body ?? {}, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  delete: (path: string, options?: RequestOptions) => request<void>('DELETE', path, undefined, options),
}

/** The items of a HAL collection (an empty list when there are none). */
export function embedded<K extends string, T>(collection: Collection<K, T> | null | undefined, name: K): T[] {
  return collection?._embedded?.[name] ?? []
}

/** The href of a command link, if the resource's state allows that command now. */
export function linkOf(resource: { _links?: Links } | null | undefined, rel: string): string | undefined {
  return resource?._links?.[rel]?.href
}
