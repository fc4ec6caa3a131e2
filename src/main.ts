#!/usr/bin/env node
import module from 'node:module'
import { buildProgram } from './cli/program.js'

// Node 22.1+ can keep compiled code between runs, which shortens every CLI start; Node 20 has no
// such API and starts as before.
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()

const program = await buildProgram(process.argv)
await program.parseAsync(process.argv)
