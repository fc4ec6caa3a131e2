import { afterEach, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  CliError,
  cell,
  evaluateJsonPath,
  parseFormat,
  parseJsonPath,
  printList,
  printResult,
  printValues,
  renderKeyValue,
  renderTable,
  runAction,
  serialize,
  setCliIo,
} from '../../src/cli/output.js'
import type { Column } from '../../src/cli/output.js'

type Row = Record<string, unknown>

const columns: ReadonlyArray<Column<Row>> = [
  { header: 'CLIENT ID', value: (r) => r['id'] },
  { header: 'CLIENT SECRET', value: (r) => r['secret'], omitEmpty: true },
  { header: 'GRANT TYPES', value: (r) => r['grants'] },
]

let restore: (() => void) | undefined
afterEach(() => restore?.())

function capture(): { out: () => string; err: () => string; code: () => number } {
  let out = ''
  let err = ''
  let code = 0
  restore = setCliIo({
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    setExitCode: (c) => (code = c),
  })
  return { out: () => out, err: () => err, code: () => code }
}

describe('parseFormat', () => {
  it('accepts the plain formats and defaults to table', () => {
    expect(parseFormat(undefined)).toEqual({ kind: 'table' })
    for (const kind of ['table', 'json', 'json-pretty', 'yaml'] as const) expect(parseFormat(kind)).toEqual({ kind })
  })

  it('parses jsonpath expressions', () => {
    const f = parseFormat('jsonpath={.client_id}')
    expect(f).toEqual({ kind: 'jsonpath', expr: '{.client_id}', path: [{ kind: 'key', key: 'client_id' }] })
  })

  it('rejects unknown formats with a clear message', () => {
    expect(() => parseFormat('xml')).toThrow(CliError)
    expect(() => parseFormat('xml')).toThrow(/unknown --format "xml"/)
  })
})

describe('jsonpath subset', () => {
  const doc = {
    client_id: 'abc',
    items: [{ id: 'a', n: 1 }, { id: 'b', n: 2 }],
    nested: { deep: { flag: true }, 'dotted.key': 'x' },
  }
  const get = (expr: string): unknown[] => evaluateJsonPath(parseJsonPath(expr), doc)

  it('walks dotted paths with or without braces, $ and a leading dot', () => {
    for (const expr of ['{.client_id}', 'client_id', '.client_id', '$.client_id', '{$.client_id}']) {
      expect(get(expr)).toEqual(['abc'])
    }
    expect(get('{.nested.deep.flag}')).toEqual([true])
  })

  it('supports indexes, negative indexes, numeric steps, quoted keys and wildcards', () => {
    expect(get('{.items[0].id}')).toEqual(['a'])
    expect(get('{.items[-1].id}')).toEqual(['b'])
    expect(get('items.1.n')).toEqual([2])
    expect(get("{.nested['dotted.key']}")).toEqual(['x'])
    expect(get('{.items[*].id}')).toEqual(['a', 'b'])
    expect(get('{.items.*.n}')).toEqual([1, 2])
    expect(get('{.}')).toEqual([doc])
    expect(get('{.missing}')).toEqual([])
  })

  it('rejects what it does not support', () => {
    expect(() => parseJsonPath('{..id}')).toThrow(/recursive descent/)
    expect(() => parseJsonPath('{.items[?(@.id)]}')).toThrow(/unsupported selector/)
    expect(() => parseJsonPath('{.a')).toThrow(/closing }/)
  })

  it('prints strings raw, other values as JSON, and fails when nothing matched', () => {
    const text = (expr: string): string => {
      const format = parseFormat(`jsonpath=${expr}`)
      if (format.kind !== 'jsonpath') throw new Error('expected a jsonpath format')
      return serialize(format, doc)
    }
    expect(text('{.client_id}')).toBe('abc\n')
    expect(text('{.items[0]}')).toBe('{"id":"a","n":1}\n')
    expect(text('{.items[*].id}')).toBe('a b\n')
    expect(() => text('{.nope}')).toThrow(/matched nothing/)
  })
})

describe('tables', () => {
  it('aligns the values of a KEY VALUE table three spaces past the longest key', () => {
    expect(
      renderKeyValue([
        ['CLIENT ID', 'abc'],
        ['CLIENT SECRET', 's3cret'],
        ['SCOPE', ''],
      ]),
    ).toBe('CLIENT ID       abc\nCLIENT SECRET   s3cret\nSCOPE\n')
  })

  it('pads every column but the last, without trailing spaces', () => {
    expect(
      renderTable(
        ['ID', 'NAME', 'X'],
        [
          ['long-id', 'n', ''],
          ['i', 'longer name', 'y'],
        ],
      ),
    ).toBe('ID        NAME          X\nlong-id   n\ni         longer name   y\n')
  })

  it('joins lists with ", " and keeps cells on one line', () => {
    expect(cell(['a', 'b'])).toBe('a, b')
    expect(cell(null)).toBe('')
    expect(cell({ a: 1 })).toBe('{"a":1}')
    expect(cell('two\nlines')).toBe('two lines')
    expect(cell(false)).toBe('false')
  })
})

describe('printResult / printList / printValues', () => {
  const item: Row = { id: 'c1', grants: ['client_credentials', 'refresh_token'] }

  it('prints one item as a KEY VALUE table, leaving out empty optional rows', () => {
    const io = capture()
    printResult(parseFormat('table'), item, columns)
    expect(io.out()).toBe('CLIENT ID     c1\nGRANT TYPES   client_credentials, refresh_token\n')
  })

  it('prints json, json-pretty and yaml', () => {
    const io = capture()
    printResult(parseFormat('json'), item, columns)
    printResult(parseFormat('json-pretty'), item, columns)
    const [compact = '', ...pretty] = io.out().split(/(?<=\n)/)
    expect(compact).toBe('{"id":"c1","grants":["client_credentials","refresh_token"]}\n')
    expect(pretty.join('')).toBe(`${JSON.stringify(item, null, 2)}\n`)

    const yamlIo = capture()
    printResult(parseFormat('yaml'), item, columns)
    expect(yamlIo.out()).toContain('id: c1\n')
    expect(parseYaml(yamlIo.out())).toEqual(item)
  })

  it('prints a list table with a NEXT PAGE TOKEN line when there is a next page', () => {
    const io = capture()
    printList(parseFormat('table'), [item, { id: 'c2', grants: [] }], columns, { nextPageToken: 'tok' })
    expect(io.out()).toBe(
      [
        'CLIENT ID   CLIENT SECRET   GRANT TYPES',
        'c1                          client_credentials, refresh_token',
        'c2',
        '',
        'NEXT PAGE TOKEN   tok',
        '',
      ].join('\n'),
    )
  })

  it('wraps paginated lists as {items, next_page_token} in JSON, plain arrays otherwise', () => {
    const io = capture()
    printList(parseFormat('json'), [item], columns, { nextPageToken: undefined })
    printList(parseFormat('json'), [item], columns)
    const [paged = '', plain = ''] = io.out().trimEnd().split('\n')
    expect(JSON.parse(paged)).toEqual({ items: [item], next_page_token: '' })
    expect(JSON.parse(plain)).toEqual([item])
  })

  it('jsonpath on a paginated list addresses the wrapper', () => {
    const io = capture()
    printList(parseFormat('jsonpath={.items[*].id}'), [item, { id: 'c2' }], columns, { nextPageToken: 'n' })
    expect(io.out()).toBe('c1 c2\n')
  })

  it('prints plain values one per line, or as a JSON array', () => {
    const io = capture()
    printValues(parseFormat('table'), ['a', 'b'])
    printValues(parseFormat('json'), ['a', 'b'])
    expect(io.out()).toBe('a\nb\n["a","b"]\n')
  })
})

describe('runAction', () => {
  it('turns a thrown error into one stderr line and exit code 1', async () => {
    const io = capture()
    await runAction(() => {
      throw new CliError('something\nbroke')
    })()
    expect(io.err()).toBe('Error: something broke\n')
    expect(io.code()).toBe(1)
  })

  it('does not repeat errors that were already reported', async () => {
    const io = capture()
    await runAction(async () => {
      throw new CliError('summary', { reported: true })
    })()
    expect(io.err()).toBe('')
    expect(io.code()).toBe(1)
  })
})
