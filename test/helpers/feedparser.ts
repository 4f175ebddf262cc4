import { spawnSync } from 'node:child_process'

// Debian's python3-feedparser lives beside /usr/bin/python3 (a pyenv python3 on PATH may not have it).
const python = '/usr/bin/python3'

export const hasFeedparser = spawnSync(python, ['-c', 'import feedparser']).status === 0

export const feedparserMissing = `${python} cannot import feedparser (apt-get install python3-feedparser): independent reader check skipped`

// Debian's feedparser 6.0.10 has no JSON Feed support, so JSON files are read with the json module.
const readFeedsPy = `
import json, sys, feedparser
report = []
for path in sys.argv[1:]:
    if path.endswith('.json'):
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
        report.append({'bozo': 0, 'error': '', 'version': doc['version'], 'ids': [item['id'] for item in doc['items']],
                       'titles': [item.get('title') for item in doc['items']]})
    else:
        d = feedparser.parse(path)
        report.append({'bozo': int(bool(d.bozo)), 'error': str(d.get('bozo_exception', '')), 'version': d.version,
                       'ids': [entry.get('id') for entry in d.entries], 'titles': [entry.get('title') for entry in d.entries]})
print(json.dumps(report))
`

export interface FeedReport {
  bozo: number
  error: string
  /** feedparser's name for the format (`rss20`, `atom10`) or the JSON Feed version URL. */
  version: string
  ids: string[]
  /** Entry titles as the reader hands them to its user interface (HTML for RSS and Atom). */
  titles: string[]
}

/** What the Universal Feed Parser (and Python's json, for JSON Feed) makes of each file. */
export function readFeeds(paths: readonly string[]): FeedReport[] {
  const run = spawnSync(python, ['-c', readFeedsPy, ...paths], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as FeedReport[]
}
