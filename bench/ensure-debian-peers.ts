import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Debian package → the executable the bench needs from it. */
const PACKAGES = { newsboat: '/usr/bin/newsboat', sfeed: '/usr/bin/sfeed_update', time: '/usr/bin/time' } as const

export type DebianPackage = keyof typeof PACKAGES

/**
 * Installs the missing peers with apt-get when running as root; never fails: what is still
 * missing afterwards is returned, and the caller skips it with a message.
 */
export function ensureDebianPeers(log: (line: string) => void): Set<DebianPackage> {
  const missing = () => (Object.keys(PACKAGES) as DebianPackage[]).filter((name) => !existsSync(PACKAGES[name]))
  const wanted = missing()
  if (wanted.length === 0) return new Set()
  const isRoot = process.getuid?.() === 0
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0
  if (!isRoot || !hasApt) {
    log(`missing ${wanted.join(', ')}; cannot install (${isRoot ? 'no apt-get' : 'not root'}): run apt-get install -y ${wanted.join(' ')}`)
    return new Set(wanted)
  }
  log(`installing ${wanted.join(', ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', ...wanted], { env, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0
  if (!install()) {
    // A fresh container has no package lists yet.
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
    install()
  }
  const stillMissing = missing()
  if (stillMissing.length > 0) log(`could not install ${stillMissing.join(', ')}; those peers are skipped`)
  return new Set(stillMissing)
}
