// Who is logged in: the token from POST /auth/login and what it says (role, store).
// Kept in localStorage so a reload keeps the session; a 401 from the API ends it.
import { reactive, readonly } from 'vue'
import { api, configureClient } from './api/client'
import type { LoginAnswer } from './api/types'

export type Role = 'customer' | 'owner' | 'rider'

export interface Session {
  token: string
  username: string
  role: Role
  storeId: number | null
  expiresAt: number // epoch ms
}

const STORAGE_KEY = 'fd.session'

const state = reactive<{ current: Session | null; expired: boolean }>({ current: load(), expired: false })

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const session = JSON.parse(raw) as Session
    if (!session.token || session.expiresAt <= Date.now()) return null
    return session
  } catch {
    return null
  }
}

function save(session: Session | null): void {
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session))
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    /* ignore */
  }
}

export const session = readonly(state)

export const DEMO_ACCOUNTS: { username: string; role: Role; note?: string }[] = [
  { username: 'customer1', role: 'customer' },
  { username: 'customer2', role: 'customer' },
  { username: 'owner1', role: 'owner', note: '교촌치킨 강남역점' },
  { username: 'owner2', role: 'owner', note: '신전떡볶이 홍대점' },
  { username: 'rider1', role: 'rider' },
  { username: 'rider2', role: 'rider' },
]
export const DEMO_PASSWORD = 'demo1234'

export async function login(username: string, password: string): Promise<Session> {
  const answer = await api.post<LoginAnswer>('/auth/login', { username, password }, { anonymous: true })
  const session: Session = {
    token: answer.accessToken,
    username: answer.username,
    role: answer.role as Role,
    storeId: answer.storeId ?? null,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  }
  state.current = session
  state.expired = false
  save(session)
  return session
}

export function logout(expired = false): void {
  state.current = null
  state.expired = expired
  save(null)
}

/** The page each role starts on. */
export function homeOf(role: Role | undefined): string {
  if (role === 'owner') return '/owner'
  if (role === 'rider') return '/rider'
  return '/stores'
}

configureClient({
  token: () => state.current?.token ?? null,
  onUnauthorized: () => logout(true),
})
