// Runs before `npm pack` (then prepare builds dist/): files dist/ still holds from sources since
// removed are deleted, so the package carries only what the current sources compile to.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

// dist/console is console/build.mjs's output (rebuilt whole by every build), not tsc's.
const BUNDLED = join('dist', 'console')

function removeOrphans(dir) {
  if (!existsSync(dir) || dir === BUNDLED) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      removeOrphans(path)
      continue
    }
    const source = path.replace(/^dist/, 'src').replace(/\.js(\.map)?$/, '.ts')
    if (!existsSync(source)) rmSync(path)
  }
}

removeOrphans('dist')
