// Opens the console in headless Chromium and reads what an operator sees: the Camel routes table (name, state,
// completed, failed, in flight) and the endpoints list. Prints the routes as JSON on stdout, saves a screenshot
// of the routes table, and writes the text of every page it opened, so that the caller can search it.
//
//   node test/routes-in-browser.mjs <console url> <screenshot.png> <pages.txt>
//
// Chromium comes from the system (Debian's package, /usr/bin/chromium unless CHROMIUM is set): a test tool's own
// browser download is not needed.
import { chromium } from 'playwright-core'
import { writeFileSync } from 'node:fs'

const [consoleUrl, screenshot, pagesFile] = process.argv.slice(2)
if (!consoleUrl || !screenshot || !pagesFile) {
  console.error('usage: node test/routes-in-browser.mjs <console url> <screenshot.png> <pages.txt>')
  process.exit(2)
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // no sandbox as root in CI; no background networking, which would only be refused on a closed network
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
})
const pages = []
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.setDefaultTimeout(60_000)
  page.on('pageerror', e => console.error('page error:', e.message))

  await page.goto(new URL('/hawtio/camel', consoleUrl).href)
  // the Camel tree shows the context's routes once Jolokia answered through the console's proxy
  await page.getByRole('treeitem', { name: 'routes' }).first().waitFor()
  await page.getByText('Routes', { exact: true }).click()
  const table = page.locator('table').first()
  await table.locator('tbody tr').first().waitFor()

  // the table refreshes every few seconds: read the header to find the columns, then every row
  const headers = (await table.locator('thead th').allInnerTexts()).map(h => h.trim())
  const column = name => headers.indexOf(name)
  const routes = {}
  for (const row of await table.locator('tbody tr').all()) {
    const cells = (await row.locator('td').allInnerTexts()).map(c => c.trim())
    routes[cells[column('Name')]] = {
      state: cells[column('State')],
      completed: Number(cells[column('Completed')]),
      failed: Number(cells[column('Failed')]),
      inflight: Number(cells[column('InFlight')]),
    }
  }
  await page.screenshot({ path: screenshot, fullPage: true })
  pages.push(`== ${page.url()}\n${await page.locator('body').innerText()}`)

  await page.getByText('Endpoints (in/out)', { exact: true }).click()
  await page.locator('table tbody tr').first().waitFor()
  pages.push(`== ${page.url()}\n${await page.locator('body').innerText()}`)

  // the upload route's diagram (the steps of one copy): its steps by id, with their exchange counts
  await page.getByRole('treeitem').getByText('upload', { exact: true }).first().click()
  await page.getByText('Route Diagram', { exact: true }).click()
  await page.getByText('put-object', { exact: false }).first().waitFor()
  pages.push(`== ${page.url()}\n${await page.locator('body').innerText()}`)
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-diagram.png') })

  console.log(JSON.stringify({ headers, routes }))
} finally {
  writeFileSync(pagesFile, pages.join('\n\n'))
  await browser.close()
}
