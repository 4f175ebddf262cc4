import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { hasFeedparser } from './feedparser.js'

/**
 * Independent judges of a feed file: Universal Feed Parser (what readers see), xmllint
 * (well-formedness) and jing with RFC 4287 Appendix B's RELAX NG schema (Atom's grammar), plus the
 * two Schematron rules the schema carries as annotations, which jing does not run.
 */

const python = '/usr/bin/python3'

export const ATOM_SCHEMA = resolve(import.meta.dirname, '../fixtures/rfc4287-atom.rnc')

export const hasJudges =
  hasFeedparser && spawnSync('xmllint', ['--version']).status === 0 && spawnSync('jing', [], { encoding: 'utf8' }).error === undefined

export const judgesMissing = 'python3-feedparser, xmllint (libxml2-utils) and jing are needed (apt-get install python3-feedparser libxml2-utils jing): judge checks skipped'

export interface JudgedEntry {
  title?: string
  link?: string
  id?: string
  /** ISO instant of the entry's published (else updated) date, as feedparser read it. */
  date?: string
  enclosures: { href: string; type?: string; length?: string }[]
}

export interface JudgedFeed {
  bozo: number
  error: string
  version: string
  title?: string
  entries: JudgedEntry[]
}

// Debian's feedparser 6.0.10 has no JSON Feed support, so JSON files are read with the json module.
const readEntriesPy = `
import calendar, datetime, html, json, sys, feedparser
def iso(parsed):
    if not parsed:
        return None
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
def json_iso(text):
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00')).astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
def text_of(e, key):
    # An html title is markup: what a reader shows is its text.
    detail = e.get(key + '_detail')
    value = e.get(key)
    return html.unescape(value) if value is not None and detail is not None and detail.get('type') == 'text/html' else value
def link_of(e):
    # feedparser makes an entry's id its link when it has no alternate link.
    alternates = [link for link in e.get('links', []) if link.get('rel') == 'alternate']
    return alternates[0].get('href') if alternates else None
report = []
for path in sys.argv[1:]:
    if path.endswith('.json'):
        with open(path, encoding='utf-8') as f:
            doc = json.load(f)
        report.append({'bozo': 0, 'error': '', 'version': doc['version'], 'title': doc.get('title'), 'entries': [
            {'title': item.get('title'), 'link': item.get('url'), 'id': item['id'], 'date': json_iso(item.get('date_published')),
             'enclosures': [{'href': a['url'], 'type': a.get('mime_type'), 'length': str(a['size_in_bytes']) if 'size_in_bytes' in a else None}
                            for a in item.get('attachments', [])]}
            for item in doc['items']]})
    else:
        d = feedparser.parse(path)
        report.append({'bozo': int(bool(d.bozo)), 'error': str(d.get('bozo_exception', '')), 'version': d.version,
                       'title': d.feed.get('title'), 'entries': [
            {'title': text_of(e, 'title'), 'link': link_of(e), 'id': e.get('id'),
             'date': iso(e.get('published_parsed') or e.get('updated_parsed')),
             'enclosures': [{'href': x.get('href'), 'type': x.get('type'), 'length': x.get('length')} for x in e.get('enclosures', [])]}
            for e in d.entries]})
print(json.dumps(report))
`

/** What the Universal Feed Parser (and Python's json, for JSON Feed) reads in each file or URL. */
export function judgeFeeds(paths: readonly string[]): JudgedFeed[] {
  const run = spawnSync(python, ['-c', readEntriesPy, ...paths], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`)
  return (JSON.parse(run.stdout) as JudgedFeed[]).map((feed) => ({
    ...feed,
    entries: feed.entries.map((entry) => dropNulls({ ...entry, enclosures: entry.enclosures.map(dropNulls) })),
  }))
}

/** xmllint's complaints about the files; empty when every one is well-formed. */
export function xmllintErrors(paths: readonly string[]): string {
  const run = spawnSync('xmllint', ['--noout', ...paths], { encoding: 'utf8' })
  return run.status === 0 ? run.stderr : `${run.stderr}(exit ${run.status})`
}

// RFC 4287 §4.1.1 and §4.1.2, the Schematron rules of Appendix B.
const atomRulesPy = `
import sys
import xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
problems = []
for path in sys.argv[1:]:
    feed = ET.parse(path).getroot()
    entries = feed.findall(A + 'entry')
    if feed.find(A + 'author') is None and any(e.find(A + 'author') is None for e in entries):
        problems.append(path + ': an atom:feed must have an atom:author unless all of its atom:entry children have one')
    for e in entries:
        alternate = [l for l in e.findall(A + 'link') if l.get('rel', 'alternate') == 'alternate']
        if not alternate and e.find(A + 'content') is None:
            problems.append(path + ': an atom:entry must have a link rel="alternate" or an atom:content (' + (e.findtext(A + 'id') or '') + ')')
print('\\n'.join(problems))
`

/** jing's complaints against RFC 4287's schema, and the Schematron rules; empty when every file passes. */
export function atomSchemaErrors(paths: readonly string[]): string {
  if (paths.length === 0) return ''
  const jing = spawnSync('jing', ['-c', ATOM_SCHEMA, ...paths], { encoding: 'utf8' })
  const rules = spawnSync(python, ['-c', atomRulesPy, ...paths], { encoding: 'utf8' })
  if (rules.status !== 0) throw new Error(`atom rule check failed: ${rules.stderr}`)
  // Debian's jing wrapper warns on stderr about optional jars it does not need.
  const jingErrors = `${jing.stdout}${jing.stderr}`.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('[warning]'))
  return [...jingErrors, rules.stdout.trim()].filter((line) => line !== '').join('\n')
}

function dropNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null)) as T
}
