// The whole journey in a real browser (Debian's chromium driven by playwright-core), with
// three people at once — a customer on a phone, the store's owner and a rider — against a
// real platform: FD_WEB_URL (default http://127.0.0.1:8088).
//
//   customer orders → owner accepts, starts, finishes → a rider near the customer sees the
//   delivery, takes it and picks it up → the customer confirms and reviews → the owner sees
//   the review; then the KakaoTalk messages, the "under the hood" page, the language
//   toggle, and a second order canceled with its refund (the saga's compensation), watched
//   live from a second tab on "under the hood" (GET /events/stream).
//
// Issue 16's pages: the owner accepts with a cooking time and the customer sees the estimated
// arrival; the rider, carrying the order, moves on the map and the customer sees the rider move
// on theirs; the operator (admin) creates a store, its owner's account and a rider's, and
// disables and enables one; the new owner adds a menu item, marks one sold out and opens the
// store with its hours, minimum order and fee bands. Screenshots of each in both languages.
//
// The live pages on their streams: the order page shows each change of the order's status
// view within a second, and never polls GET /orderStatuses/{id} while its stream is open.
//
// And the page's security all along: the gateway's Content-Security-Policy and other
// headers on the page, no CSP violation in any page, no token in localStorage or
// sessionStorage (the access token in memory, the refresh token in an HttpOnly cookie),
// a reload that keeps the session, and a logout that ends it for good.
//
// Environment:
//   FD_WEB_URL        the gateway (and the app, once the gateway serves it) [http://127.0.0.1:8088]
//   FD_E2E_SERVE      auto | preview | direct: how the app is reached (see serve.mjs) [auto]
//   FD_E2E_BUILD      0 to reuse an existing dist/ instead of building it
//   CHROMIUM_PATH     the browser [/usr/bin/chromium]
//   FD_E2E_HEADED     1 to watch it (needs a display)
// Screenshots go to e2e/screenshots/. The last line says "e2e: N passed, N failed".
import { mkdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { checkGateway, serveApp } from './serve.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const shots = path.join(here, 'screenshots')
const gateway = (process.env.FD_WEB_URL ?? 'http://127.0.0.1:8088').replace(/\/+$/, '')
const browserPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const WAIT = 20000 // a stream waiting for its resource tries again up to every 8 s; 20 s is generous

// Where the customer is, and so where the order goes and where the rider stands.
const HOME = { place: 'teheran', lat: 37.5006, lon: 127.0364 }
const REVIEW = `e2e 리뷰 ${new Date().toISOString()} — 바삭하고 따뜻했어요`

let passed = 0
let failed = 0
const pageErrors = []
const cspViolations = []
// Every token the platform handed out or a page sent, to look for in the pages' storage.
const tokensSeen = new Set()
const screenshots = []
const people = [] // [name, page], for the screenshots taken when a step fails

async function step(name, body) {
  const started = Date.now()
  try {
    await body()
    passed++
    console.log(`ok ${passed + failed} - ${name} (${Date.now() - started} ms)`)
  } catch (error) {
    failed++
    console.log(`not ok ${passed + failed} - ${name}`)
    console.log(`  ${String(error?.message ?? error).split('\n').join('\n  ')}`)
    for (const [who, page] of people) await shot(page, `failed-${passed + failed}-${who}`).catch(() => {})
    throw error
  }
}

async function shot(page, name) {
  const file = path.join(shots, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  screenshots.push(path.relative(path.join(here, '..'), file))
}

function expect(condition, message) {
  if (!condition) throw new Error(message)
}

async function newPerson(browser, appUrl, name, options) {
  const context = await browser.newContext(options)
  // A blocked script, style, image or request fires securitypolicyviolation in the page
  // (and a console error, collected below too).
  await context.exposeFunction('fdReportCspViolation', (text) => cspViolations.push(`${name}: ${text}`))
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.fdReportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} in ${e.sourceFile || e.documentURI}`),
    )
  })
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT)
  people.push([name, page])
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      pageErrors.push(`${name} console: ${message.text()}`)
  })
  const person = { context, page, requests: [], bearer: '' }
  watchRequests(person, page)
  page.on('response', async (response) => {
    if (!/\/auth\/(login|signup|refresh)$/.test(new URL(response.url()).pathname) || response.status() !== 200) return
    try {
      const body = await response.json()
      for (const token of [body.accessToken, body.refreshToken]) if (token) tokensSeen.add(token)
    } catch {
      /* the page moved on before the body was read */
    }
  })
  const answer = await page.goto(`${appUrl}/`)
  return Object.assign(person, { headers: answer.headers() })
}

/** Notes each API request a page makes (its path) and the access token it sent last. */
function watchRequests(person, page) {
  page.on('request', (request) => {
    const bearer = /^Bearer (.+)$/.exec(request.headers().authorization ?? '')
    if (bearer) {
      tokensSeen.add(bearer[1])
      person.bearer = bearer[1]
    }
    person.requests.push(new URL(request.url()).pathname)
  })
}

/** The requests a person's pages made to exactly this path, since the `from`th. */
function requestsTo(person, pathname, from = 0) {
  return person.requests.slice(from).filter((p) => p === pathname).length
}

/**
 * The order page shows a change of the order's status view within a second of it: the test
 * watches the view itself (GET /orderStatuses/{id} from here, not from the page) until the
 * step `event` is in its timeline, then gives the page what is left of that second.
 */
async function shownWithinASecond(person, orderId, event) {
  const deadline = Date.now() + WAIT
  let seenAt = 0
  while (!seenAt) {
    expect(Date.now() < deadline, `the status view of order ${orderId} never got ${event}`)
    const answer = await fetch(`${gateway}/orderStatuses/${orderId}`, { headers: { Authorization: `Bearer ${person.bearer}` } })
    if (answer.ok && (await answer.json()).timeline.some((step) => step.eventType === event)) seenAt = Date.now()
    else await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const step = person.page.locator(`.timeline-step[data-event="${event}"]`)
  const left = Math.max(1, 1000 - (Date.now() - seenAt))
  await step.waitFor({ timeout: left }).catch(() => {
    throw new Error(`the order page did not show ${event} within a second of the status view's change`)
  })
}

/** What localStorage and sessionStorage hold: [where, key, value] triples. */
function storageOf(page) {
  return page.evaluate(() =>
    [
      ['localStorage', localStorage],
      ['sessionStorage', sessionStorage],
    ].flatMap(([where, storage]) =>
      Array.from({ length: storage.length }, (_, i) => [where, storage.key(i), storage.getItem(storage.key(i)) ?? '']),
    ),
  )
}

const JWT_SHAPE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/

async function expectNoTokenStored(name, page) {
  for (const [where, key, value] of await storageOf(page)) {
    const text = `${key}=${value}`
    expect(!JWT_SHAPE.test(text), `${name}'s ${where} holds something shaped like a JWT: ${key}`)
    for (const token of tokensSeen) expect(!text.includes(token), `${name}'s ${where} holds a token: ${key}`)
  }
}

async function refreshCookieOf(context) {
  return (await context.cookies()).find((cookie) => cookie.name === 'fd_refresh')
}

async function loginWithDemoButton(page, username, home) {
  await page.getByTestId(`demo-${username}`).click()
  await page.waitForURL(new RegExp(`#${home}$`))
  await page.getByTestId('who').filter({ hasText: username }).waitFor()
}

async function main() {
  rmSync(shots, { recursive: true, force: true })
  mkdirSync(shots, { recursive: true })
  await checkGateway(gateway)
  const app = await serveApp(gateway, process.env.FD_E2E_SERVE ?? 'auto')
  let browser
  try {
    browser = await chromium.launch({
      executablePath: browserPath,
      headless: process.env.FD_E2E_HEADED !== '1',
      // Playwright gives each launch a fresh, empty profile (its own --user-data-dir).
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    await journey(browser, app.url, app.byGateway)
  } finally {
    await browser?.close().catch(() => {})
    await app.stop()
  }
}

async function journey(browser, appUrl, byGateway) {
  // The customer on a phone, in Korean; the owner on a desktop, in English; the rider in Korean.
  const customer = await newPerson(browser, appUrl, 'customer', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'ko-KR',
  })
  const owner = await newPerson(browser, appUrl, 'owner', { viewport: { width: 1280, height: 860 }, locale: 'en-US' })
  const rider = await newPerson(browser, appUrl, 'rider', { viewport: { width: 1280, height: 900 }, locale: 'ko-KR' })
  const c = customer.page
  const o = owner.page
  const r = rider.page
  let orderId = 0
  let orderPageFrom = 0 // where the customer's requests stood when the order page opened
  let second = 0 // the order canceled and refunded
  let hood // the customer's second tab, on the "under the hood" page

  await step('the page comes with a strict Content-Security-Policy and the other security headers', async () => {
    if (!byGateway) {
      console.log('  # vite preview serves the app, without the gateway\'s headers: nothing to check')
      return
    }
    const h = customer.headers
    const csp = h['content-security-policy'] ?? ''
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]))
    const sources = (name) => directives.get(name) ?? directives.get('default-src') ?? []
    expect(csp !== '', 'the page has a Content-Security-Policy header')
    expect(sources('script-src').join(' ') === "'self'", `scripts from the page's origin only: ${csp}`)
    for (const directive of ['script-src', 'style-src', 'default-src'])
      expect(!sources(directive).some((s) => /unsafe|\*|data:|https?:$/.test(s)), `${directive} allows nothing inline or foreign: ${csp}`)
    expect(sources('object-src').join(' ') === "'none'", `no plugins: ${csp}`)
    expect(directives.get('frame-ancestors')?.join(' ') === "'none'", `no framing: ${csp}`)
    expect(directives.get('base-uri')?.join(' ') === "'none'", `no <base>: ${csp}`)
    expect(h['x-frame-options'] === 'DENY', `X-Frame-Options: ${h['x-frame-options']}`)
    expect(h['x-content-type-options'] === 'nosniff', `X-Content-Type-Options: ${h['x-content-type-options']}`)
    expect(/^(no-referrer|same-origin|strict-origin(-when-cross-origin)?)$/.test(h['referrer-policy'] ?? ''), `Referrer-Policy: ${h['referrer-policy']}`)
  })

  await step('a wrong password is refused in words (problem+json detail)', async () => {
    await o.getByTestId('username').fill('owner1')
    await o.getByTestId('password').fill('wrong-password')
    await o.getByTestId('login-submit').click()
    const problem = o.getByTestId('problem')
    await problem.waitFor()
    const text = await problem.innerText()
    expect(/username or password is wrong/.test(text), `the login error says: ${text}`)
    await shot(o, '01-owner-login-refused')
  })

  await step('the customer logs in with one click and sees the stores by distance', async () => {
    await loginWithDemoButton(c, 'customer1', '/stores')
    await c.getByTestId(`place-${HOME.place}`).click()
    await c.getByTestId('store-1').waitFor()
    const first = await c.locator('[data-testid^="store-"]').first().getAttribute('data-testid')
    expect(first === 'store-1', `the nearest store to Teheran-ro should be store 1, the list starts with ${first}`)
    const distance = await c.getByTestId('store-1').getByTestId('distance').innerText()
    expect(/km/.test(distance), `store 1 shows its distance: ${distance}`)
    await shot(c, '02-customer-stores')
  })

  await step('the tokens are nowhere a script could read them: memory and an HttpOnly cookie', async () => {
    await expectNoTokenStored('customer', c)
    const cookie = await refreshCookieOf(customer.context)
    expect(cookie, 'the login set the fd_refresh cookie')
    expect(cookie.httpOnly, 'fd_refresh is HttpOnly')
    expect(cookie.sameSite === 'Strict', `fd_refresh is SameSite=Strict: ${cookie.sameSite}`)
    expect(cookie.path === '/auth', `fd_refresh is scoped to /auth: ${cookie.path}`)
    const deadline = Date.now() + 5000 // the login's body is read beside the page
    while (!tokensSeen.has(cookie.value) && Date.now() < deadline) await c.waitForTimeout(50)
    expect(tokensSeen.has(cookie.value), 'fd_refresh holds the refresh token the login answered')
    expect(!(await c.evaluate(() => document.cookie)).includes(cookie.value), 'the page cannot read the cookie')
  })

  await step('the customer fills a cart whose total is priced from the menu', async () => {
    await c.getByTestId('store-1').getByRole('link').click()
    await c.getByTestId('store-name').waitFor()
    await c.getByTestId('add-101').click()
    await c.getByTestId('add-101').click()
    await c.getByTestId('add-104').click()
    const total = await c.getByTestId('cart-total').innerText()
    expect(total.replace(/\s/g, '') === '51,000원', `cart total should be 51,000원 (23,000×2 + 5,000), is ${total}`)
    await shot(c, '03-customer-cart')
  })

  await step('the customer orders, is paid automatically, and follows the order live on its stream', async () => {
    orderPageFrom = customer.requests.length
    await c.getByTestId('place-order').click()
    await c.waitForURL(/#\/orders\/\d+$/)
    orderId = Number(c.url().match(/orders\/(\d+)$/)[1])
    expect(orderId > 0, 'the order page names the order')
    // GET /orderStatuses/{id}/stream is open (the page says "live", not "refreshed every few seconds").
    await c.getByTestId('live-mode').and(c.locator('[data-mode="stream"]')).waitFor()
    expect(requestsTo(customer, `/orderStatuses/${orderId}/stream`, orderPageFrom) >= 1, 'the page opened the stream')
    await c.locator('[data-event="PaymentApproved"]').waitFor()
    await c.getByTestId('cancel-order').waitFor() // cancel is allowed while the kitchen has not started
    await shot(c, '04-customer-order-paid')
  })

  await step('the owner sees the new order appear and accepts, starts and finishes it', async () => {
    await loginWithDemoButton(o, 'owner1', '/owner')
    const card = o.getByTestId(`cooking-${orderId}`)
    await card.waitFor()
    await o.getByTestId('live-mode').and(o.locator('[data-mode="stream"]')).waitFor() // GET /foodCookings/stream
    await shot(o, '05-owner-new-order')
    // Each step reaches the customer's order page within a second, on its stream.
    await o.getByTestId(`cooking-minutes-${orderId}`).selectOption('30')
    await o.getByTestId(`accept-${orderId}`).click()
    await shownWithinASecond(customer, orderId, 'OrderAccepted')
    // The cooking time makes the customer's estimated arrival.
    await c.getByTestId('eta').waitFor()
    expect(/\d\d:\d\d/.test(await c.getByTestId('eta').innerText()), 'the estimated arrival is a time of day')
    await shot(c, '06a-customer-estimated-arrival')
    await o.getByTestId(`start-${orderId}`).click()
    await shownWithinASecond(customer, orderId, 'CookStarted')
    await o.getByTestId(`finish-${orderId}`).click()
    await shownWithinASecond(customer, orderId, 'CookFinished')
    await card.waitFor({ state: 'detached' }) // done: it leaves the "to do" tab
    await o.getByRole('tab', { name: /Done/ }).click()
    await o.getByTestId(`cooking-${orderId}`).locator('[data-status="COOKED"]').waitFor()
    await shot(o, '06-owner-cooked')
  })

  await step('the customer’s timeline follows the kitchen without a reload; cancel is gone', async () => {
    await c.locator('[data-event="CookFinished"]').waitFor()
    for (const event of ['OrderPlaced', 'PaymentApproved', 'OrderAccepted', 'CookStarted', 'CookFinished'])
      expect((await c.locator(`[data-event="${event}"]`).count()) === 1, `the timeline has one ${event} step`)
    expect((await c.getByTestId('cancel-order').count()) === 0, 'no cancel button once cooking started')
    await shot(c, '07-customer-cooked')
  })

  await step('a rider near the customer reports the position, sees the delivery and takes it', async () => {
    await loginWithDemoButton(r, 'rider1', '/rider')
    await r.getByTestId('rider-lat').fill(String(HOME.lat))
    await r.getByTestId('rider-lon').fill(String(HOME.lon))
    await r.getByTestId('rider-radius').selectOption('3')
    await r.getByTestId('report-position').click()
    await r.getByTestId('reported-position').waitFor()
    await r.getByTestId(`assign-${orderId}`).waitFor()
    await shot(r, '08-rider-offer')
    await r.getByTestId('live-mode').and(r.locator('[data-mode="stream"]')).waitFor() // GET /deliveries/stream
    await r.getByTestId(`assign-${orderId}`).click()
    await shownWithinASecond(customer, orderId, 'DeliveryAssigned')
    await r.getByTestId(`pick-${orderId}`).click()
    await shownWithinASecond(customer, orderId, 'Picked')
    await r.getByTestId(`delivery-${orderId}`).locator('[data-status="PICKED_UP"]').waitFor()
    await shot(r, '09-rider-picked-up')
  })

  await step('the rider carrying the order moves on the map, and the customer sees the rider move with the arrival time', async () => {
    const riderAt = c.getByTestId('rider-at')
    const seen = async (lat) => {
      // The rider's page reports each move at most every 3 s: the customer's page shows the
      // latest one when it comes, within the deadline.
      await c.getByTestId('rider-map').locator('.map-rider').waitFor()
      await riderAt.filter({ hasText: String(lat) }).waitFor()
    }
    await r.getByTestId(`carrying-${orderId}`).waitFor()
    await r.getByTestId('rider-place-gangnam').click()
    await r.getByTestId('position-sent').filter({ hasText: '37.4979' }).waitFor()
    await seen(37.4979)
    await c.getByTestId('eta').waitFor()
    await shot(r, '09a-rider-moves')
    await shot(c, '09b-customer-rider-on-map-korean')
    // A second move, sooner than the service takes it: sent when it may, and the customer's
    // map follows.
    await r.getByTestId('rider-place-teheran').click()
    await r.getByTestId('position-sent').filter({ hasText: '37.5006' }).waitFor()
    await seen(37.5006)
    await c.getByTestId('lang-toggle').click()
    await c.getByText('Arrives around').waitFor()
    await shot(c, '09c-customer-rider-on-map-english')
    await c.getByTestId('lang-toggle').click()
    await c.getByText('도착 예정').waitFor()
  })

  await step('the customer confirms the delivery and writes a review', async () => {
    await c.locator('[data-event="Picked"]').waitFor()
    await c.getByTestId('confirm-delivery').click()
    await c.getByTestId('review-form').waitFor()
    await c.getByTestId('star-4').click()
    await c.getByTestId('review-text').fill(REVIEW)
    await c.getByTestId('post-review').click()
    await c.getByTestId('my-review').waitFor()
    await shownWithinASecond(customer, orderId, 'DeliveryConfirmed')
    await shownWithinASecond(customer, orderId, 'PaymentSettled')
    await c.getByTestId('live-mode').and(c.locator('[data-mode="over"]')).waitFor()
    await shot(c, '10-customer-delivered-reviewed')
  })

  await step('while the order page followed its stream, it never polled GET /orderStatuses/{id}', async () => {
    const polled = requestsTo(customer, `/orderStatuses/${orderId}`, orderPageFrom)
    expect(polled === 0, `the order page polled GET /orderStatuses/${orderId} ${polled} times`)
  })

  await step('the owner sees the review and the store’s average rating', async () => {
    await o.getByRole('link', { name: 'Reviews' }).click()
    const review = o.getByTestId(`review-${orderId}`)
    await review.waitFor()
    expect((await review.innerText()).includes(REVIEW), 'the review text is shown')
    const average = Number(await o.getByTestId('average-rating').innerText())
    expect(average >= 1 && average <= 5, `the average rating is between 1 and 5: ${average}`)
    await shot(o, '11-owner-reviews')
  })

  await step('the customer reads the KakaoTalk messages (or is told they are not there yet)', async () => {
    await c.goto(`${appUrl}/#/notifications`)
    const mine = c.locator('.kakao').filter({ hasText: `주문 ${orderId} ` })
    const missing = c.getByTestId('notifications-missing')
    await mine.or(missing).first().waitFor()
    if (await missing.isVisible()) console.log('  # GET /notifications answered 404: the page says so')
    else await c.locator('.kakao').filter({ hasText: `주문 ${orderId} ` }).filter({ hasText: '배달완료' }).waitFor()
    await shot(c, '12-customer-kakaotalk')
  })

  await step('under the hood: the saga steps of the order, and the truth about the event stream', async () => {
    await c.goto(`${appUrl}/#/hood`)
    await c.getByTestId('stream-missing').or(c.getByTestId('stream-open')).first().waitFor()
    await c.getByTestId(`hood-order-${orderId}`).click()
    const steps = c.getByTestId('saga-steps')
    await steps.locator('[data-event="DeliveryConfirmed"]').waitFor()
    await c.getByTestId('no-compensation').waitFor()
    await shot(c, '13-hood-saga')
  })

  await step('the language toggle switches the page between Korean and English', async () => {
    await c.getByRole('heading', { level: 1, name: '내부 동작' }).waitFor()
    await c.getByTestId('lang-toggle').click()
    await c.getByRole('heading', { level: 1, name: 'Under the hood' }).waitFor()
    await shot(c, '14-hood-english')
    await c.getByTestId('lang-toggle').click()
    await c.getByRole('heading', { level: 1, name: '내부 동작' }).waitFor()
  })

  await step('under the hood follows GET /events/stream: a second tab of the customer waits for events', async () => {
    hood = await customer.context.newPage()
    hood.setDefaultTimeout(WAIT)
    people.push(['customer-hood', hood])
    hood.on('pageerror', (error) => pageErrors.push(`customer-hood: ${error.message}`))
    hood.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
        pageErrors.push(`customer-hood console: ${message.text()}`)
    })
    await hood.goto(`${appUrl}/#/hood`)
    await hood.getByTestId('who').waitFor() // the session came back from the refresh cookie
    await hood.getByTestId('stream-open').waitFor()
  })

  await step('a second order canceled before cooking is refunded: the compensation shows', async () => {
    orderPageFrom = customer.requests.length
    await c.goto(`${appUrl}/#/stores/1`)
    await c.getByTestId('add-103').click()
    await c.getByTestId('place-order').click()
    await c.waitForURL(/#\/orders\/\d+$/)
    second = Number(c.url().match(/orders\/(\d+)$/)[1])
    expect(second !== orderId, 'a new order')
    await c.getByTestId('live-mode').and(c.locator('[data-mode="stream"]')).waitFor()
    await c.getByTestId('cancel-order').click()
    await c.getByTestId('order-status').and(c.locator('[data-status="CANCELED"]')).waitFor()
    await shownWithinASecond(customer, second, 'PaymentCanceled')
    await c.locator('.timeline-step.compensation[data-event="PaymentCanceled"]').waitFor()
    const polled = requestsTo(customer, `/orderStatuses/${second}`, orderPageFrom)
    expect(polled === 0, `the order page polled GET /orderStatuses/${second} ${polled} times`)
    await shot(c, '15-customer-canceled-refunded')
    await c.goto(`${appUrl}/#/hood`)
    await c.getByTestId(`hood-order-${second}`).click()
    await c.getByTestId('compensations').waitFor()
    await shot(c, '16-hood-compensation')
  })

  await step('the second tab showed that order’s events live, as they crossed the bus, in both languages', async () => {
    const events = hood.getByTestId('stream-events')
    await events.locator(`[data-order="${second}"][data-event="PaymentCanceled"]`).waitFor()
    // Newest first on the page: reversed, the order they came in.
    const came = await events
      .locator(`li[data-order="${second}"]`)
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-event')).reverse())
    const expected = ['OrderPlaced', 'PaymentApproved', 'OrderCanceled', 'PaymentCanceled']
    expect(expected.every((event) => came.includes(event)), `the stream showed ${came.join(', ')}`)
    // What causes what comes first: the order is placed before anything else happens to it,
    // and the payment service approves before it refunds. (The customer's cancel and the
    // refund come from two services, in either order.)
    expect(came[0] === 'OrderPlaced', `OrderPlaced first: ${came.join(', ')}`)
    expect(came.indexOf('PaymentApproved') < came.indexOf('PaymentCanceled'), `approved, then refunded: ${came.join(', ')}`)
    const ids = await events.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-id')))
    expect(ids.length === new Set(ids).size, `no event shown twice: ${ids.join(', ')}`)
    // Its saga below was read again at the order's events (no polling while the stream is open).
    await hood.getByTestId(`hood-order-${second}`).click()
    await hood.getByTestId('compensations').waitFor()
    await shot(hood, '16a-hood-live-korean')
    await hood.getByTestId('lang-toggle').click()
    await hood.getByRole('heading', { level: 2, name: 'Live event stream' }).waitFor()
    await shot(hood, '16b-hood-live-english')
    await hood.getByTestId('lang-toggle').click()
  })

  await step('a reload keeps the session: the refresh cookie gives back a new access token', async () => {
    const before = await refreshCookieOf(owner.context)
    expect(before, 'the owner has the fd_refresh cookie')
    await o.goto(`${appUrl}/#/owner`)
    const refreshed = o.waitForResponse((r) => r.url().endsWith('/auth/refresh'))
    await o.reload()
    expect((await refreshed).status() === 200, 'POST /auth/refresh answered 200 after the reload')
    await o.getByTestId('who').filter({ hasText: 'owner1' }).waitFor()
    await o.getByRole('tab', { name: /Done/ }).click()
    await o.locator('[data-testid^="cooking-"]').first().waitFor() // GET /foodCookings answered
    expect(o.url().endsWith('#/owner'), `still on the owner page: ${o.url()}`)
    const after = await refreshCookieOf(owner.context)
    expect(after && after.value !== before.value, 'the refresh token in the cookie was rotated')
    await expectNoTokenStored('owner', o)
  })

  await step('an access token the API refuses (401) is renewed once with the cookie, without a new login', async () => {
    // As if 15 minutes had passed: the next request carries a token the platform refuses.
    let spoiled = false
    const list = /\/foodCookings(\/stream)?(\?|$)/
    await o.route(list, (route) => {
      if (spoiled) return route.continue()
      spoiled = true
      return route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer expired.access.token' } })
    })
    const renewal = o.waitForResponse((r) => r.url().endsWith('/auth/refresh'))
    const retried = o.waitForResponse((r) => list.test(r.url()) && r.status() === 200)
    // The owner's list is a stream, open already: the owner looks at the reviews and comes
    // back, and the list's stream is opened again, with the refused token.
    await o.getByRole('link', { name: 'Reviews' }).click()
    await o.getByTestId('average-rating').waitFor()
    await o.getByRole('link', { name: 'Incoming orders' }).click()
    expect((await renewal).status() === 200, 'the 401 was followed by POST /auth/refresh, answered 200')
    await retried
    await o.unroute(list)
    await o.getByTestId('live-mode').and(o.locator('[data-mode="stream"]')).waitFor()
    await o.getByTestId('who').filter({ hasText: 'owner1' }).waitFor()
    expect(o.url().endsWith('#/owner'), `still on the owner page: ${o.url()}`)
  })

  await step('logging out ends the login on the platform and clears the cookie; a reload stays logged out', async () => {
    const before = rider.bearer // the access token the rider's page sent last
    expect(before, 'the rider\'s page sent a token')
    await r.getByTestId('logout').click()
    await r.waitForURL(/#\/login/)
    const status = await r.evaluate(async (token) => {
      for (let i = 0; i < 20; i++) {
        const answer = await fetch('/auth/me', { headers: { Authorization: `Bearer ${token}` } })
        if (answer.status === 401) return 401
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      return 200
    }, before)
    expect(status === 401, 'the old token is refused after logout')
    const deadline = Date.now() + WAIT
    while ((await refreshCookieOf(rider.context)) && Date.now() < deadline) await r.waitForTimeout(100)
    expect(!(await refreshCookieOf(rider.context)), 'the logout cleared the fd_refresh cookie')
    await r.reload()
    await r.getByTestId('demo-rider1').waitFor()
    expect((await r.getByTestId('who').count()) === 0, 'no session after a reload')
  })

  await step('a new customer can sign up, and is logged in at once', async () => {
    const name = `e2e_${Date.now().toString(36)}`
    await r.getByTestId('toggle-signup').click()
    await r.getByTestId('username').fill(name)
    // Long and random: the platform refuses short and common passwords.
    await r.getByTestId('password').fill(`e2e-${Math.random().toString(36).slice(2, 12)}-Qx7`)
    await r.getByTestId('display-name').fill('E2E 고객')
    await r.getByTestId('login-submit').click()
    await r.waitForURL(/#\/stores$/)
    await r.getByTestId('who').filter({ hasText: name }).waitFor()
    await shot(r, '17-signed-up-customer')
  })

  const stamp = Date.now().toString(36)
  // The operator, then the new owner, on a phone, in English first.
  const operator = await newPerson(browser, appUrl, 'operator', {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  })
  const a = operator.page
  const newOwner = { username: `owner_${stamp}`, password: `e2e-${Math.random().toString(36).slice(2, 12)}-Qx7` }
  let newStore = 0

  await step('the operator logs in with one click and creates a store', async () => {
    await loginWithDemoButton(a, 'admin', '/admin')
    await a.getByTestId('store-name').fill(`e2e 치킨 ${stamp}`)
    await a.getByTestId('store-category').fill('치킨')
    // In Jamsil, far from the customer's Teheran-ro: store 1 stays the nearest when the journey runs again.
    await a.getByTestId('store-address').fill('서울 송파구 올림픽로 265')
    await a.getByTestId('store-lat').fill('37.5133')
    await a.getByTestId('store-lon').fill('127.1001')
    await a.getByTestId('create-store').click()
    const created = a.getByTestId('store-created')
    await created.waitFor()
    newStore = Number(/(\d+)/.exec(await created.innerText())[1])
    expect(newStore > 4, `a new store after the demo stores: ${newStore}`)
    await a.getByTestId(`admin-store-${newStore}`).waitFor()
    await shot(a, '18-admin-store-created-english')
  })

  await step('the operator creates the store’s owner, and a rider, and sees them listed', async () => {
    await a.getByTestId('owner-for-store').click()
    await a.waitForURL(/#\/admin\/accounts/)
    expect((await a.getByTestId('account-store').inputValue()) === String(newStore), 'the owner form names the new store')
    await a.getByTestId('account-username').fill(newOwner.username)
    await a.getByTestId('account-password').fill(newOwner.password)
    await a.getByTestId('account-display-name').fill('e2e 사장')
    // Auth asks the store service whether the store exists: the new one does, at once.
    await a.getByTestId('create-account').click()
    await a.getByTestId('account-created').filter({ hasText: newOwner.username }).waitFor()
    await a.getByTestId(`account-${newOwner.username}`).waitFor()
    await a.getByTestId('account-role-rider').click()
    await a.getByTestId('account-username').fill(`rider_${stamp}`)
    await a.getByTestId('account-password').fill(newOwner.password)
    await a.getByTestId('create-account').click()
    await a.getByTestId('account-created').filter({ hasText: `rider_${stamp}` }).waitFor()
    await a.getByTestId(`account-rider_${stamp}`).waitFor()
    await shot(a, '19-admin-accounts-english')
  })

  await step('the operator disables the rider’s account and enables it again, by its links', async () => {
    const account = a.getByTestId(`account-rider_${stamp}`)
    await account.getByTestId(`disable-rider_${stamp}`).click()
    await account.getByTestId('account-disabled').waitFor()
    await account.getByTestId(`enable-rider_${stamp}`).waitFor()
    await a.getByTestId('lang-toggle').click()
    await a.getByRole('heading', { level: 1, name: '계정', exact: true }).waitFor()
    await shot(a, '20-admin-account-disabled-korean')
    await account.getByTestId(`enable-rider_${stamp}`).click()
    await account.getByTestId(`disable-rider_${stamp}`).waitFor()
    expect((await account.getByTestId('account-disabled').count()) === 0, 'enabled again')
    await a.goto(`${appUrl}/#/admin`)
    await a.getByTestId(`admin-store-${newStore}`).waitFor()
    await shot(a, '21-admin-stores-korean')
  })

  await step('the new owner logs in, adds a menu item and marks one sold out', async () => {
    await a.getByTestId('logout').click()
    await a.waitForURL(/#\/login/)
    await a.getByTestId('username').fill(newOwner.username)
    await a.getByTestId('password').fill(newOwner.password)
    await a.getByTestId('login-submit').click()
    await a.waitForURL(/#\/owner$/)
    await a.goto(`${appUrl}/#/owner/store`)
    await a.getByTestId('owner-store').filter({ hasText: `e2e 치킨 ${stamp}` }).waitFor()
    for (const [name, price] of [
      ['후라이드치킨', '18000'],
      ['양념치킨', '19000'],
    ]) {
      await a.getByTestId('new-name').fill(name)
      await a.getByTestId('new-price').fill(price)
      await a.getByTestId('new-category').fill('치킨')
      await a.getByTestId('add-item').click()
      await a.locator('[data-testid^="menu-item-"]').filter({ hasText: name }).waitFor()
    }
    const second = a.locator('[data-testid^="menu-item-"]').filter({ hasText: '양념치킨' })
    await second.locator('[data-testid^="sold-out-"]').click()
    await second.getByTestId('sold-out').waitFor()
    await shot(a, '22-owner-menu-korean')
  })

  await step('the new owner opens the store with its hours, minimum order and fee bands', async () => {
    await a.getByTestId('open-state').filter({ hasText: '닫혀' }).waitFor() // a new store starts closed
    await a.getByTestId('open-toggle').check()
    await a.getByTestId('add-hours').click()
    await a.getByTestId('every-day').click()
    expect((await a.locator('[data-testid^="hours-"]').count()) === 7, 'an opening for every day')
    // Open every hour of the day, so the store is open whenever the test runs.
    for (let i = 0; i < 7; i++) {
      await a.getByTestId(`hours-${i}`).locator('input').nth(0).fill('00:00')
      await a.getByTestId(`hours-${i}`).locator('input').nth(1).fill('00:00')
    }
    await a.getByTestId('minimum-order').fill('15000')
    await a.getByTestId('add-band').click()
    await a.getByTestId('add-band').click()
    await a.getByTestId('save-settings').click()
    await a.getByTestId('settings-saved').waitFor()
    await a.getByTestId('open-state').filter({ hasText: '영업 중' }).waitFor()
    await shot(a, '23-owner-settings-korean')
    await a.getByTestId('lang-toggle').click()
    await a.getByTestId('open-state').filter({ hasText: 'Open now' }).waitFor()
    await shot(a, '24-owner-store-english')
  })

  await step('the customer sees the new store’s menu, the sold-out item not to be added', async () => {
    await c.goto(`${appUrl}/#/stores/${newStore}`)
    await c.getByTestId('store-name').filter({ hasText: `e2e 치킨 ${stamp}` }).waitFor()
    const soldOut = c.locator('[data-testid^="menu-"]').filter({ hasText: '양념치킨' }).locator('button')
    await soldOut.and(c.locator('[disabled]')).waitFor()
    const onSale = c.locator('[data-testid^="menu-"]').filter({ hasText: '후라이드치킨' }).locator('button')
    expect(await onSale.isEnabled(), 'the item on sale can be added')
    await shot(c, '25-customer-new-store-sold-out')
  })

  await step('no page holds a token in localStorage or sessionStorage', async () => {
    expect(tokensSeen.size > 0, 'the journey saw tokens')
    for (const [name, page] of people) await expectNoTokenStored(name, page)
  })

  await step('no page reported a Content-Security-Policy violation', async () => {
    expect(cspViolations.length === 0, `violations:\n${cspViolations.join('\n')}`)
  })

  await step('no page threw an error', async () => {
    expect(pageErrors.length === 0, `errors in the pages:\n${pageErrors.join('\n')}`)
  })

  await Promise.all([customer.context.close(), owner.context.close(), rider.context.close(), operator.context.close()])
}

let exitCode = 0
try {
  await main()
} catch (error) {
  exitCode = 1
  if (failed === 0) {
    failed++
    console.log(`not ok - setup: ${error?.message ?? error}`)
  }
} finally {
  if (screenshots.length) console.log(`# screenshots (${screenshots.length}):\n#   ${screenshots.join('\n#   ')}`)
  console.log(`e2e: ${passed} passed, ${failed} failed`)
}
process.exit(exitCode || (failed ? 1 : 0))
