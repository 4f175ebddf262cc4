/** One synthetic Chinese financial-news story, fully determined by (farm seed, story index). */
export interface Story {
  index: number
  /** `NW` + 18 digits, like the seed's `NW202201112243496752`. */
  infoCode: string
  title: string
  /** Short plain-text digest (description / summary). */
  digest: string
  /** 1–2 KB of article HTML (UTF-8 bytes). */
  html: string
  /** Unix ms; stories are a minute apart from FARM_EPOCH_MS, so every date is in the past. */
  publishedMs: number
}

/** 2022-01-01 00:00:00 +0800, the seed's era. */
export const FARM_EPOCH_MS = Date.UTC(2021, 11, 31, 16, 0, 0)

const STORY_SPACING_MS = 60_000

const MIN_HTML_BYTES = 1024
const MAX_HTML_BYTES = 2048

/** Media outlets; a feed's title is one of them, so feedloom derives its category (pinyin) from it. */
export const OUTLETS = [
  '每日经济新闻',
  '证券时报',
  '中国证券报',
  '上海证券报',
  '第一财经',
  '财联社',
  '经济观察报',
  '二十一世纪经济报道',
  '界面新闻',
  '华尔街见闻',
] as const

const COMPANIES = [
  '贵州茅台', '宁德时代', '比亚迪', '招商银行', '中国平安', '隆基绿能', '东方财富', '中信证券',
  '五粮液', '美的集团', '海天味业', '药明康德', '迈瑞医疗', '紫金矿业', '中芯国际', '工商银行',
  '格力电器', '恒瑞医药', '长江电力', '万华化学', '三一重工', '立讯精密', '海康威视', '伊利股份',
]

const EVENTS = [
  '发布2021年业绩预告，净利润同比增长{p}%',
  '获北向资金增持{n}万股',
  '拟以不超过{n}亿元回购公司股份',
  '大宗交易成交{n}万元，折价{p}%',
  '董事会审议通过非公开发行预案',
  '一季度营收同比下降{p}%，毛利率承压',
  '接受{n}家机构调研，谈及海外产能布局',
  '签订重大合同，金额约{n}亿元',
  '股东拟减持不超过{p}%股份',
  '午后拉升涨超{p}%，成交额放大',
]

const MACRO = [
  '央行开展{n}亿元7天期逆回购操作，中标利率持平',
  '沪指收涨{p}%，两市成交额连续第{n}个交易日破万亿',
  '人民币兑美元中间价报6.3{n}，较上一交易日调升',
  '统计局：12月CPI同比上涨{p}%，PPI涨幅回落',
  '证监会：进一步推进资本市场高水平对外开放',
  '北向资金全天净买入{n}亿元，连续三日加仓',
]

const SENTENCES = [
  '业内人士指出，当前市场流动性总体保持合理充裕，资金面未出现明显波动。',
  '公司表示，本次募集资金将主要用于产能扩建项目及补充流动资金，以进一步巩固行业地位。',
  '从盘面看，新能源、半导体板块表现活跃，消费板块整体震荡，个股涨跌互现。',
  '分析师认为，随着稳增长政策持续发力，经济基本面有望逐步企稳回升。',
  '截至发稿，该股报收于{p}元，总市值约{n}亿元，换手率为{p}%。',
  '数据显示，年内已有超过{n}家上市公司披露回购计划，合计金额创近年新高。',
  '公告显示，公司控股股东及其一致行动人目前合计持股比例为{p}%，不存在质押情况。',
  '有券商研报指出，行业景气度仍处高位，龙头企业的成本优势将进一步凸显。',
  '市场人士表示，短期内指数或将维持区间震荡，建议投资者关注业绩确定性较强的品种。',
  '据了解，该项目总投资约{n}亿元，预计建成后年产值可达{n}亿元。',
  '外资机构对中国资产的配置意愿仍较强，北向资金年内累计净流入超过{n}亿元。',
  '公司相关负责人在接受记者采访时表示，经营情况正常，各项业务有序推进。',
]

/** Small, fast, deterministic PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mixes integers into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5
  for (const part of parts) {
    hash = Math.imul(hash ^ (part & 0xffff), 0x01000193)
    hash = Math.imul(hash ^ (part >>> 16), 0x01000193)
  }
  return hash >>> 0
}

export function createStory(farmSeed: number, index: number): Story {
  const random = createRandom(mixSeed(farmSeed, index, 7))
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const fill = (template: string): string =>
    template
      .replace(/\{n\}/g, () => String(1 + Math.floor(random() * 900)))
      .replace(/\{p\}/g, () => (random() * 30).toFixed(2))
  const title = random() < 0.25 ? fill(pick(MACRO)) : `${pick(COMPANIES)}：${fill(pick(EVENTS))}`
  const targetBytes = MIN_HTML_BYTES + Math.floor(random() * (MAX_HTML_BYTES - MIN_HTML_BYTES - 200))
  const paragraphs: string[] = [`<p><strong>${title}</strong></p>`]
  let bytes = Buffer.byteLength(paragraphs[0] as string)
  while (bytes < targetBytes) {
    const sentences = [fill(pick(SENTENCES)), fill(pick(SENTENCES))].join('')
    const paragraph =
      random() < 0.1
        ? `<p><img src="https://img.farm.test/news/${index}.jpg" alt="${pick(COMPANIES)}"></p>`
        : random() < 0.15
          ? `<p>${sentences}<a href="https://data.farm.test/stock/${index}.html">查看行情</a></p>`
          : `<p>${sentences}</p>`
    paragraphs.push(paragraph)
    bytes += Buffer.byteLength(paragraph)
  }
  // Trim to the cap on a paragraph boundary.
  while (bytes > MAX_HTML_BYTES && paragraphs.length > 2) bytes -= Buffer.byteLength(paragraphs.pop() as string)
  const digest = paragraphs.slice(1).map((p) => p.replace(/<[^>]+>/g, '')).find((text) => text !== '')?.slice(0, 60) ?? title
  return {
    index,
    infoCode: `NW2022${String(farmSeed % 100).padStart(2, '0')}${String(index).padStart(12, '0')}`,
    title,
    digest,
    html: paragraphs.join(''),
    publishedMs: FARM_EPOCH_MS + index * STORY_SPACING_MS,
  }
}

/** The share link the seed system published (`…/NewsShare.html?infoCode=NW…`). */
export function shareLinkOf(infoCode: string): string {
  return `https://news.farm.test/html_News/NewsShare.html?infoCode=${infoCode}`
}
