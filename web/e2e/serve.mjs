// Finds where the app is served, or serves it: when the gateway at FD_WEB_URL already
// serves the app at /, the journey runs there; otherwise dist/ is built and `vite preview`
// serves it on a free port, proxying the API paths to the gateway (vite.config.ts).
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const viteBin = path.join(webDir, 'node_modules', '.bin', 'vite')

async function freePort() {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

async function get(url, timeoutMs = 3000) {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  try {
    const response = await fetch(url, { signal: controller.signal })
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() }
  } finally {
    clearTimeout(timer)
  }
}

/** True when url/ answers with this app's page. */
async function servesApp(url) {
  try {
    const page = await get(`${url}/`)
    return page.status === 200 && page.type.includes('text/html') && page.text.includes('id="app"')
  } catch {
    return false
  }
}

export async function checkGateway(gateway) {
  let answer
  try {
    answer = await get(`${gateway}/stores`)
  } catch (error) {
    throw new Error(
      `the platform is not reachable at ${gateway} (${error.cause?.code ?? error.message}): start it with \`make up\` ` +
        'or set FD_WEB_URL to a running gateway',
    )
  }
  if (answer.status !== 200) throw new Error(`GET ${gateway}/stores answered ${answer.status}: ${answer.text.slice(0, 200)}`)
}

/**
 * Returns { url, byGateway, stop } for the app (byGateway: the gateway serves it, with its
 * security headers; vite preview sends none). mode: 'auto' (default), 'preview' (always serve
 * dist/ with vite preview), 'direct' (the gateway must serve the app itself).
 */
export async function serveApp(gateway, mode = 'auto', log = console.log) {
  if (mode !== 'preview' && (await servesApp(gateway))) {
    log(`# the gateway serves the app: ${gateway}/`)
    return { url: gateway, byGateway: true, stop: async () => {} }
  }
  if (mode === 'direct') throw new Error(`${gateway}/ does not serve the app (FD_E2E_SERVE=direct)`)
  if (!existsSync(viteBin)) throw new Error(`${viteBin} is missing: run \`npm ci\` in web/ first`)

  if (process.env.FD_E2E_BUILD !== '0' || !existsSync(path.join(webDir, 'dist', 'index.html'))) {
    log('# building dist/ (vite build)')
    const build = spawnSync(viteBin, ['build', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' })
    if (build.status !== 0) throw new Error('vite build failed')
  }

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  log(`# the gateway does not serve the app yet: vite preview on ${url}, API proxied to ${gateway}`)
  const child = spawn(viteBin, ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: webDir,
    env: { ...process.env, FD_GATEWAY_URL: gateway },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      return
    }
    const exited = once(child, 'exit')
    const timeout = new Promise((resolve) => setTimeout(resolve, 3000, 'timeout'))
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    }
  }

  const deadline = Date.now() + 20000
  while (!(await servesApp(url))) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`vite preview did not answer on ${url} within 20 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { url, byGateway: false, stop }
}
