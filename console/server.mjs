// Serves the built console under /hawtio/ and forwards /hawtio/jolokia to the relay's Jolokia endpoint, so the
// browser only ever talks to this server: the relay's management port can stay on loopback (or behind its own
// credentials, which this server adds and the browser never sees).
//
// Only the console's own pages may use it: a Jolokia request whose Origin is another site's is refused, and so,
// when the console listens on loopback, is any request whose Host is not a loopback name (a page whose DNS name
// was pointed at 127.0.0.1). What reaches the relay names neither the browser's page nor its site: no Origin,
// Referer, cookies or Host of the browser's, as the relay refuses any request that a page sent.
//
// Settings (environment):
//   S3RELAY_CONSOLE_HOST      where to listen (default 127.0.0.1)
//   S3RELAY_CONSOLE_PORT      port (default 8090; 0 picks a free one and prints it)
//   S3RELAY_JOLOKIA_URL       the relay's Jolokia (default http://127.0.0.1:8080/observe/jolokia)
//   S3RELAY_JOLOKIA_USER / S3RELAY_JOLOKIA_PASSWORD   the relay's management credentials, if it requires them
//   S3RELAY_CONSOLE_USER / S3RELAY_CONSOLE_PASSWORD   required of browsers (HTTP Basic); mandatory when the host
//                                                     is not loopback, as the console can stop routes
import { createServer, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { timingSafeEqual } from 'node:crypto'

const env = process.env
const host = env.S3RELAY_CONSOLE_HOST || '127.0.0.1'
const port = Number(env.S3RELAY_CONSOLE_PORT ?? 8090)
const jolokiaUrl = new URL(env.S3RELAY_JOLOKIA_URL || 'http://127.0.0.1:8080/observe/jolokia')
const relayAuth = env.S3RELAY_JOLOKIA_USER
  ? 'Basic ' + Buffer.from(`${env.S3RELAY_JOLOKIA_USER}:${env.S3RELAY_JOLOKIA_PASSWORD ?? ''}`).toString('base64')
  : null
const consoleUser = env.S3RELAY_CONSOLE_USER || null
const consoleAuth = consoleUser
  ? Buffer.from('Basic ' + Buffer.from(`${consoleUser}:${env.S3RELAY_CONSOLE_PASSWORD ?? ''}`).toString('base64'))
  : null
const dist = fileURLToPath(new URL('./dist/', import.meta.url))

const loopback = ['127.0.0.1', '::1', 'localhost'].includes(host)
if (!loopback && !consoleAuth) {
  console.error(`S3RELAY_CONSOLE_HOST is ${host}, which is not loopback: set S3RELAY_CONSOLE_USER and `
    + 'S3RELAY_CONSOLE_PASSWORD, or keep the console on 127.0.0.1')
  process.exit(2)
}

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff': 'font/woff', '.woff2': 'font/woff2',
  '.ttf': 'font/ttf', '.map': 'application/json',
}

// What Hawtio asks its backend when it starts: there is no login here (the server's own Basic auth, if any,
// already happened), no Keycloak/OIDC, no remote connections and no extra plugins.
const backend = {
  '/hawtio/user': () => JSON.stringify(consoleUser ?? 'operator'),
  '/hawtio/proxy/enabled': () => 'false',
  '/hawtio/keycloak/enabled': () => 'false',
  '/hawtio/auth/config/session-timeout': () => '{"timeout": -1}',
  '/hawtio/auth/config/login': () => '[]',
  '/hawtio/auth/config/oidc': () => '{}',
  '/hawtio/auth/config': () => '{}',
  '/hawtio/plugin': () => '[]',
}

// A page of another site whose DNS name was pointed at 127.0.0.1 reaches this server with its own name as Host:
// on loopback only loopback names are this server's. Elsewhere browsers must log in, and such a page has no
// credentials for its name.
const loopbackNames = ['127.0.0.1', 'localhost', '[::1]']

function hostAllowed(req) {
  if (!loopback) return true
  try {
    return loopbackNames.includes(new URL(`http://${req.headers.host}`).hostname)
  } catch {
    return false
  }
}

// A browser names the page that makes a request in its Origin header: it must be this server as the browser
// reached it. A request without one is not a page's (a program's, or a navigation).
function sameOrigin(req) {
  const origin = req.headers.origin
  if (origin === undefined) return true
  return origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`
}

function authorized(req) {
  if (!consoleAuth) return true
  const given = Buffer.from(req.headers.authorization ?? '')
  return given.length === consoleAuth.length && timingSafeEqual(given, consoleAuth)
}

// what the relay gets of the browser's request: its body and what it accepts back. Nothing that names the page
// or the browser (Origin, Referer, cookies, its Host, its credentials for this server), nor what belongs to one
// connection (an h2c upgrade offer, say)
const forwarded = ['accept', 'content-type', 'content-length']

function forwardToJolokia(req, res, rest) {
  const target = new URL(jolokiaUrl.href.replace(/\/$/, '') + rest)
  const headers = { host: target.host }
  for (const name of forwarded) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name]
  }
  if (relayAuth) headers.authorization = relayAuth
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  const upstream = send(target, { method: req.method, headers }, answer => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  upstream.on('error', err => {
    res.writeHead(502, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 502, error: `relay Jolokia not reachable: ${err.code ?? err.message}` }))
  })
  req.pipe(upstream)
}

async function serveFile(res, pathname) {
  let file = normalize(join(dist, decodeURIComponent(pathname.slice('/hawtio/'.length))))
  if (!file.startsWith(dist)) file = join(dist, 'index.html')
  try {
    if (!(await stat(file)).isFile()) file = join(dist, 'index.html')
  } catch {
    // a client-side route such as /hawtio/camel/routes: the single page app handles it
    file = join(dist, 'index.html')
  }
  const body = await readFile(file)
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
  res.end(body)
}

const server = createServer(async (req, res) => {
  try {
    if (!hostAllowed(req)) {
      res.writeHead(403, { 'content-type': 'text/plain' })
      res.end('not a name of this console\n')
      return
    }
    if (!authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="s3-relay console"' })
      res.end()
      return
    }
    const { pathname, search } = new URL(req.url, 'http://console')
    if (pathname === '/' || pathname === '/hawtio') {
      res.writeHead(302, { location: '/hawtio/' })
      res.end()
    } else if (pathname === '/hawtio/jolokia' || pathname.startsWith('/hawtio/jolokia/')) {
      if (!sameOrigin(req)) {
        res.writeHead(403, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ status: 403, error: 'Jolokia answers only the console\'s own pages' }))
        return
      }
      forwardToJolokia(req, res, pathname.slice('/hawtio/jolokia'.length) + search)
    } else if (backend[pathname]) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(backend[pathname]())
    } else if (pathname.startsWith('/hawtio/')) {
      await serveFile(res, pathname)
    } else {
      res.writeHead(404)
      res.end()
    }
  } catch (err) {
    res.writeHead(500)
    res.end(String(err.message))
  }
})

server.listen(port, host, () => {
  const { port: actual } = server.address()
  console.log(`s3-relay console on http://${host}:${actual}/hawtio/ (Jolokia: ${jolokiaUrl.origin}${jolokiaUrl.pathname})`)
})
