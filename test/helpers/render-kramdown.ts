import { spawnSync } from 'node:child_process'

/** Debian's ruby-kramdown (Jekyll's Markdown converter) is importable. */
export const hasKramdown = spawnSync('ruby', ['-rkramdown', '-e', '']).status === 0

/** Debian's ruby-kramdown-parser-gfm: Jekyll's default `input: GFM`. */
export const hasKramdownGfm = spawnSync('ruby', ['-rkramdown', '-rkramdown-parser-gfm', '-e', '']).status === 0

export const kramdownMissing = 'ruby cannot load kramdown (apt-get install ruby-kramdown ruby-kramdown-parser-gfm): Jekyll post rendering check skipped'

/** The ways a Jekyll site may have kramdown read a post. */
export interface KramdownSetting {
  name: string
  options: Record<string, unknown>
}

/** Jekyll's own kramdown defaults (minus syntax highlighting), then the plain parser, then a site that parses Markdown inside HTML blocks. */
export const KRAMDOWN_SETTINGS: readonly KramdownSetting[] = [
  { name: 'Jekyll defaults (GFM)', options: { input: 'GFM', auto_ids: true, entity_output: 'as_char', hard_wrap: false, smart_quotes: 'lsquo,rsquo,ldquo,rdquo' } },
  { name: 'kramdown', options: { input: 'kramdown' } },
  { name: 'GFM, parse_block_html', options: { input: 'GFM', parse_block_html: true } },
]

const renderRb = `
require 'json'
require 'kramdown'
begin
  require 'kramdown-parser-gfm'
rescue LoadError
end
request = JSON.parse(STDIN.read)
out = request['documents'].map do |text|
  request['settings'].map do |options|
    opts = options.transform_keys(&:to_sym)
    next nil if opts[:input] == 'GFM' && !defined?(Kramdown::Parser::GFM)
    Kramdown::Document.new(text, opts).to_html
  end
end
puts JSON.generate(out)
`

/**
 * Each Markdown document as HTML under each setting, as Jekyll would convert a post's body; null
 * where the setting needs the GFM parser and it is missing. One Ruby process for all of them.
 */
export function renderKramdown(documents: readonly string[], settings: readonly KramdownSetting[] = KRAMDOWN_SETTINGS): (string | null)[][] {
  const run = spawnSync('ruby', ['-e', renderRb], {
    input: JSON.stringify({ documents, settings: settings.map((setting) => setting.options) }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.status !== 0) throw new Error(`kramdown failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as (string | null)[][]
}
