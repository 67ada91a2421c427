// The whole journey in a real browser (Debian's chromium driven by playwright-core), with
// three people at once — a customer on a phone, the store's owner and a rider — against a
// real platform: FD_WEB_URL (default http://127.0.0.1:8088).
//
//   customer orders → owner accepts, starts, finishes → a rider near the customer sees the
//   delivery, takes it and picks it up → the customer confirms and reviews → the owner sees
//   the review; then the KakaoTalk messages, the "under the hood" page, the language
//   toggle, and a second order canceled with its refund (the saga's compensation).
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
const WAIT = 20000 // the pages poll with backoff up to 6–8 s; 20 s is generous

// Where the customer is, and so where the order goes and where the rider stands.
const HOME = { place: 'teheran', lat: 37.5006, lon: 127.0364 }
const REVIEW = `e2e 리뷰 ${new Date().toISOString()} — 바삭하고 따뜻했어요`

let passed = 0
let failed = 0
const pageErrors = []
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
  const page = await context.newPage()
  page.setDefaultTimeout(WAIT)
  people.push([name, page])
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      pageErrors.push(`${name} console: ${message.text()}`)
  })
  await page.goto(`${appUrl}/`)
  return { context, page }
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
    await journey(browser, app.url)
  } finally {
    await browser?.close().catch(() => {})
    await app.stop()
  }
}

async function journey(browser, appUrl) {
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

  await step('the customer orders, is paid automatically, and follows the order live', async () => {
    await c.getByTestId('place-order').click()
    await c.waitForURL(/#\/orders\/\d+$/)
    orderId = Number(c.url().match(/orders\/(\d+)$/)[1])
    expect(orderId > 0, 'the order page names the order')
    await c.locator('[data-event="PaymentApproved"]').waitFor()
    await c.getByTestId('cancel-order').waitFor() // cancel is allowed while the kitchen has not started
    await shot(c, '04-customer-order-paid')
  })

  await step('the owner sees the new order appear and accepts, starts and finishes it', async () => {
    await loginWithDemoButton(o, 'owner1', '/owner')
    const card = o.getByTestId(`cooking-${orderId}`)
    await card.waitFor()
    await shot(o, '05-owner-new-order')
    await o.getByTestId(`accept-${orderId}`).click()
    await o.getByTestId(`start-${orderId}`).click()
    await o.getByTestId(`finish-${orderId}`).click()
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
    await r.getByTestId(`assign-${orderId}`).click()
    await r.getByTestId(`pick-${orderId}`).click()
    await r.getByTestId(`delivery-${orderId}`).locator('[data-status="PICKED_UP"]').waitFor()
    await shot(r, '09-rider-picked-up')
  })

  await step('the customer confirms the delivery and writes a review', async () => {
    await c.locator('[data-event="Picked"]').waitFor()
    await c.getByTestId('confirm-delivery').click()
    await c.getByTestId('review-form').waitFor()
    await c.getByTestId('star-4').click()
    await c.getByTestId('review-text').fill(REVIEW)
    await c.getByTestId('post-review').click()
    await c.getByTestId('my-review').waitFor()
    await c.locator('[data-event="DeliveryConfirmed"]').waitFor()
    await c.locator('[data-event="PaymentSettled"]').waitFor()
    await shot(c, '10-customer-delivered-reviewed')
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

  await step('a second order canceled before cooking is refunded: the compensation shows', async () => {
    await c.goto(`${appUrl}/#/stores/1`)
    await c.getByTestId('add-103').click()
    await c.getByTestId('place-order').click()
    await c.waitForURL(/#\/orders\/\d+$/)
    const second = Number(c.url().match(/orders\/(\d+)$/)[1])
    expect(second !== orderId, 'a new order')
    await c.getByTestId('cancel-order').click()
    await c.getByTestId('order-status').and(c.locator('[data-status="CANCELED"]')).waitFor()
    await c.locator('.timeline-step.compensation[data-event="PaymentCanceled"]').waitFor()
    await shot(c, '15-customer-canceled-refunded')
    await c.goto(`${appUrl}/#/hood`)
    await c.getByTestId(`hood-order-${second}`).click()
    await c.getByTestId('compensations').waitFor()
    await shot(c, '16-hood-compensation')
  })

  await step('an expired access token is renewed with the refresh token, without a new login', async () => {
    const stored = await o.evaluate(() => JSON.parse(localStorage.getItem('fd.session') ?? 'null'))
    if (!stored?.refreshToken) {
      console.log('  # this platform issues no refresh token (older auth service): nothing to renew')
      return
    }
    // As if 15 minutes had passed: the access token no longer works and is past its time.
    await o.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('fd.session'))
      localStorage.setItem('fd.session', JSON.stringify({ ...s, token: 'expired.access.token', expiresAt: Date.now() + 600000 }))
    })
    await o.goto(`${appUrl}/#/owner`)
    await o.reload()
    await o.getByRole('tab', { name: /Done/ }).click()
    await o.locator('[data-testid^="cooking-"]').first().waitFor() // GET /foodCookings answered
    const renewed = await o.evaluate(() => JSON.parse(localStorage.getItem('fd.session')))
    expect(renewed.token !== 'expired.access.token', 'a new access token was stored')
    expect(renewed.refreshToken !== stored.refreshToken, 'the refresh token was rotated')
    expect(o.url().endsWith('#/owner'), `still on the owner page: ${o.url()}`)
  })

  await step('logging out revokes the token on the platform; a new customer can sign up', async () => {
    const before = await r.evaluate(() => JSON.parse(localStorage.getItem('fd.session')).token)
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
    const name = `e2e_${Date.now().toString(36)}`
    await r.getByTestId('toggle-signup').click()
    await r.getByTestId('username').fill(name)
    await r.getByTestId('password').fill('e2e-password-1')
    await r.getByTestId('display-name').fill('E2E 고객')
    await r.getByTestId('login-submit').click()
    await r.waitForURL(/#\/stores$/)
    await r.getByTestId('who').filter({ hasText: name }).waitFor()
    await shot(r, '17-signed-up-customer')
  })

  await step('no page threw an error', async () => {
    expect(pageErrors.length === 0, `errors in the pages:\n${pageErrors.join('\n')}`)
  })

  await Promise.all([customer.context.close(), owner.context.close(), rider.context.close()])
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
