// The console shows the relay's Camel routes and JMX through Hawtio's built-in plugins. Only what an operator of
// the relay needs is registered: no "connect" plugin, as this console always talks to its own relay through the
// server's /hawtio/jolokia proxy (see server.mjs).
//
// Static imports only: @hawtio/react is CommonJS, and a dynamic import() of it loses its named exports in the
// esbuild bundle.
import '@hawtio/react/dist/init.css'
import '@hawtio/react/dist/index.css'
import '@patternfly/react-core/dist/styles/base.css'

import React from 'react'
import ReactDOM from 'react-dom/client'
import { camel, configManager, hawtio, jmx, logs, runtime } from '@hawtio/react'
import { Hawtio } from '@hawtio/react/ui'

configManager.addProductInfo('s3-relay console', '1.0')
camel()
jmx()
runtime()
logs()

const root = ReactDOM.createRoot(document.getElementById('root') as HTMLElement)
hawtio.bootstrap().then(() => {
  root.render(
    <React.StrictMode>
      <Hawtio />
    </React.StrictMode>,
  )
})
