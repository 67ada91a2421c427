// The owner's and the operator's forms, as pure data: what a draft becomes on the wire, and
// why it cannot be sent yet. Each problem is an i18n key (with its parameters), so the page
// says it in the user's language before the service would refuse it with 400; the service
// stays the judge (its problem+json detail is shown as on every page).

export type Day = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN'
export const DAYS: Day[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']

export interface OpeningHours {
  day: Day
  opens: string
  closes: string
}

export interface FeeBand {
  upToMeters: number
  fee: number
}

export interface Invalid {
  key: string
  params?: Record<string, string | number>
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Invalid[] }

function checked<T>(problems: Invalid[], value: () => T): Checked<T> {
  return problems.length ? { ok: false, problems } : { ok: true, value: value() }
}

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/
export const MAX_PRICE = 10_000_000
export const MAX_HOURS = 21
export const MAX_BANDS = 10

// The service counts UTF-8 bytes, not characters: 한글 is 3 bytes a letter.
function bytes(text: string): number {
  return new TextEncoder().encode(text).length
}

function wholeNumber(text: string | number): number | null {
  const n = typeof text === 'number' ? text : Number(String(text).trim())
  return String(text).trim() !== '' && Number.isInteger(n) ? n : null
}

// --- the menu -------------------------------------------------------------

export interface MenuDraft {
  name: string
  price: string | number
  description: string
  category: string
}

export interface MenuItemRequest {
  name?: string
  price?: number
  description?: string
  category?: string
}

export function emptyMenuDraft(): MenuDraft {
  return { name: '', price: '', description: '', category: '' }
}

/**
 * A menu item to add (every field sent) or, given the item as it is, the fields an edit
 * changes (only those: the service refuses an edit that changes nothing).
 */
export function menuRequest(draft: MenuDraft, before?: Required<MenuItemRequest>): Checked<MenuItemRequest> {
  const problems: Invalid[] = []
  const name = draft.name.trim()
  const price = wholeNumber(draft.price)
  const description = draft.description.trim()
  const category = draft.category.trim()
  if (!name) problems.push({ key: 'form.required', params: { field: 'name' } })
  else if (bytes(name) > 100) problems.push({ key: 'form.tooLong', params: { field: 'name', max: 100 } })
  if (price === null || price < 1 || price > MAX_PRICE)
    problems.push({ key: 'form.price', params: { max: MAX_PRICE } })
  if (bytes(description) > 500) problems.push({ key: 'form.tooLong', params: { field: 'description', max: 500 } })
  if (bytes(category) > 50) problems.push({ key: 'form.tooLong', params: { field: 'category', max: 50 } })
  const whole: MenuItemRequest = { name, price: price ?? 0, description, category }
  const result = checked(problems, () => {
    if (!before) return whole
    const changes: MenuItemRequest = {}
    for (const field of ['name', 'price', 'description', 'category'] as const)
      if (whole[field] !== before[field]) Object.assign(changes, { [field]: whole[field] })
    return changes
  })
  if (result.ok && Object.keys(result.value).length === 0) return { ok: false, problems: [{ key: 'form.unchanged' }] }
  return result
}

// --- the store's terms ----------------------------------------------------

/** One more opening: the day after the last one listed, at the last one's times (11:00–22:00 first). */
export function addHours(hours: OpeningHours[]): OpeningHours[] {
  const last = hours[hours.length - 1]
  if (!last) return [{ day: 'MON', opens: '11:00', closes: '22:00' }]
  const next = DAYS[(DAYS.indexOf(last.day) + 1) % DAYS.length]
  return [...hours, { day: next, opens: last.opens, closes: last.closes }]
}

/** The same opening on every day of the week (the first one listed, or 11:00–22:00). */
export function everyDay(hours: OpeningHours[]): OpeningHours[] {
  const first = hours[0] ?? { opens: '11:00', closes: '22:00' }
  return DAYS.map((day) => ({ day, opens: first.opens, closes: first.closes }))
}

export function removeAt<T>(list: T[], index: number): T[] {
  return list.filter((_, i) => i !== index)
}

export function checkHours(hours: OpeningHours[]): Invalid[] {
  const problems: Invalid[] = []
  if (hours.length > MAX_HOURS) problems.push({ key: 'form.tooMany', params: { max: MAX_HOURS } })
  hours.forEach((h, i) => {
    if (!DAYS.includes(h.day) || !HH_MM.test(h.opens) || !HH_MM.test(h.closes))
      problems.push({ key: 'form.hours', params: { n: i + 1 } })
  })
  return problems
}

/** One more band, farther than the last: 1500 m free first, then each 1500 m more at 1000 won more. */
export function addBand(bands: FeeBand[]): FeeBand[] {
  const last = bands[bands.length - 1]
  if (!last) return [{ upToMeters: 1500, fee: 0 }]
  return [...bands, { upToMeters: last.upToMeters + 1500, fee: last.fee + 1000 }]
}

export function checkBands(bands: FeeBand[]): Invalid[] {
  const problems: Invalid[] = []
  if (bands.length > MAX_BANDS) problems.push({ key: 'form.tooMany', params: { max: MAX_BANDS } })
  bands.forEach((b, i) => {
    const meters = wholeNumber(b.upToMeters)
    const fee = wholeNumber(b.fee)
    if (meters === null || meters < 1 || meters > 100_000) problems.push({ key: 'form.bandMeters', params: { n: i + 1 } })
    else if (i > 0 && meters <= Number(bands[i - 1].upToMeters))
      problems.push({ key: 'form.bandOrder', params: { n: i + 1 } })
    if (fee === null || fee < 0 || fee > MAX_PRICE) problems.push({ key: 'form.bandFee', params: { n: i + 1 } })
  })
  return problems
}

export interface SettingsDraft {
  open: boolean
  openingHours: OpeningHours[]
  minimumOrder: string | number
  deliveryFees: FeeBand[]
}

export interface SettingsRequest {
  open: boolean
  openingHours: OpeningHours[]
  minimumOrder: number
  deliveryFees: FeeBand[]
}

export function settingsRequest(draft: SettingsDraft): Checked<SettingsRequest> {
  const minimum = wholeNumber(draft.minimumOrder)
  const problems = [...checkHours(draft.openingHours), ...checkBands(draft.deliveryFees)]
  if (minimum === null || minimum < 0 || minimum > MAX_PRICE) problems.push({ key: 'form.minimum', params: { max: MAX_PRICE } })
  return checked(problems, () => ({
    open: draft.open,
    openingHours: draft.openingHours.map(({ day, opens, closes }) => ({ day, opens, closes })),
    minimumOrder: minimum ?? 0,
    deliveryFees: draft.deliveryFees.map((b) => ({ upToMeters: Number(b.upToMeters), fee: Number(b.fee) })),
  }))
}

// --- the cooking time -----------------------------------------------------

export const COOKING_MINUTES = [10, 15, 20, 25, 30, 40, 50, 60]
export const DEFAULT_COOKING_MINUTES = 20

// --- the operator's forms -------------------------------------------------

export interface StoreDraft {
  name: string
  category: string
  address: string
  lat: string | number
  lon: string | number
}

export interface NewStoreRequest {
  name: string
  category: string
  address: string
  lat: number
  lon: number
}

export function newStoreRequest(draft: StoreDraft): Checked<NewStoreRequest> {
  const problems: Invalid[] = []
  const text = { name: draft.name.trim(), category: draft.category.trim(), address: draft.address.trim() }
  const limits = { name: 100, category: 50, address: 200 }
  for (const field of ['name', 'category', 'address'] as const) {
    if (!text[field]) problems.push({ key: 'form.required', params: { field } })
    else if (bytes(text[field]) > limits[field]) problems.push({ key: 'form.tooLong', params: { field, max: limits[field] } })
  }
  const lat = Number(String(draft.lat).trim())
  const lon = Number(String(draft.lon).trim())
  if (String(draft.lat).trim() === '' || !Number.isFinite(lat) || Math.abs(lat) > 90) problems.push({ key: 'form.lat' })
  if (String(draft.lon).trim() === '' || !Number.isFinite(lon) || Math.abs(lon) > 180) problems.push({ key: 'form.lon' })
  return checked(problems, () => ({ ...text, lat, lon }))
}

export interface AccountDraft {
  role: 'owner' | 'rider'
  username: string
  password: string
  displayName: string
  storeId: string | number
}

export interface NewAccountRequest {
  role: 'owner' | 'rider'
  username: string
  password: string
  displayName?: string
  storeId?: number
}

const USERNAME = /^[a-z0-9_]{3,32}$/

export function newAccountRequest(draft: AccountDraft): Checked<NewAccountRequest> {
  const problems: Invalid[] = []
  const username = draft.username.trim()
  const displayName = draft.displayName.trim()
  const storeId = wholeNumber(draft.storeId)
  if (!USERNAME.test(username)) problems.push({ key: 'form.username' })
  if (draft.password.length < 10 || bytes(draft.password) > 128) problems.push({ key: 'form.password' })
  if (bytes(displayName) > 64) problems.push({ key: 'form.tooLong', params: { field: 'displayName', max: 64 } })
  if (draft.role === 'owner' && (storeId === null || storeId < 1)) problems.push({ key: 'form.storeId' })
  return checked(problems, () => {
    const body: NewAccountRequest = { role: draft.role, username, password: draft.password }
    if (displayName) body.displayName = displayName
    if (draft.role === 'owner') body.storeId = storeId ?? undefined
    return body
  })
}
