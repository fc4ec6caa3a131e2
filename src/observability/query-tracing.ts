// One client span per database query, as a Kysely plugin. Loaded (and the plugin installed) only
// when tracing is on. A span names the statement kind and the table, never the SQL text or a
// parameter value: those carry token signatures, client ids and sealed sessions.
import type {
  CompiledQuery,
  Kysely,
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api'

const OPERATIONS: Readonly<Record<string, string>> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
  RawNode: 'RAW',
}

interface NodeShape {
  kind: string
  table?: NodeShape | { identifier?: { name?: string } }
  node?: NodeShape
  from?: { froms?: readonly NodeShape[] }
  into?: NodeShape
}

function tableName(node: NodeShape | undefined): string | undefined {
  if (!node) return undefined
  if (node.kind === 'TableNode') return (node.table as { identifier?: { name?: string } } | undefined)?.identifier?.name
  if (node.kind === 'AliasNode') return tableName(node.node)
  return undefined
}

/** The table a statement works on, when it names one. */
export function tableOf(root: OperationNode): string | undefined {
  const node = root as unknown as NodeShape
  switch (node.kind) {
    case 'SelectQueryNode':
    case 'DeleteQueryNode':
      return tableName(node.from?.froms?.[0])
    case 'InsertQueryNode':
      return tableName(node.into)
    case 'UpdateQueryNode':
      return tableName(node.table as NodeShape | undefined) ?? tableName(node.from?.froms?.[0])
    default:
      return undefined
  }
}

/** `SELECT`, `INSERT`, ... or the node kind for schema statements. */
export function operationOf(root: OperationNode): string {
  return OPERATIONS[root.kind] ?? root.kind.replace(/Node$/, '')
}

// A raw or precompiled statement: the kind and table from its SQL text, which holds placeholders,
// never values. Only the leading keyword and an identifier are taken from it.
const RAW_SHAPE = /^\s*(select|insert|update|delete)\b[\s\S]*?\b(?:from|into|update)\s+[`"]?([\w$]+)[`"]?/i
const RAW_KIND = /^\s*(select|insert|update|delete)\b/i

function describe(query: OperationNode, sqlText?: string): { operation: string; table: string | undefined } {
  if (query.kind === 'RawNode' && sqlText !== undefined) {
    const shape = RAW_SHAPE.exec(sqlText)
    if (shape) return { operation: shape[1]!.toUpperCase(), table: shape[2] }
    const kind = RAW_KIND.exec(sqlText)
    return { operation: kind ? kind[1]!.toUpperCase() : 'RAW', table: undefined }
  }
  return { operation: operationOf(query), table: tableOf(query) }
}

// OpenTelemetry's names for the three engines (db.system.name).
const SYSTEMS: Readonly<Record<string, string>> = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql' }

export class QueryTracingPlugin implements KyselyPlugin {
  private readonly spans = new WeakMap<object, Span>()
  private readonly system: string

  constructor(
    private readonly tracer: Tracer,
    dialect: string,
  ) {
    this.system = SYSTEMS[dialect] ?? dialect
  }

  // Only queries made on behalf of something traced (a request, a grant) get a span: startup and
  // background queries would make a root trace each.
  private start(query: OperationNode, sqlText?: string, batched = false): Span | undefined {
    if (trace.getSpan(context.active()) === undefined) return undefined
    const { operation, table } = describe(query, sqlText)
    return this.tracer.startSpan(table ? `${operation} ${table}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': this.system,
        'db.operation.name': operation,
        ...(table ? { 'db.collection.name': table } : {}),
        ...(batched ? { 'orthrus.db.batched': true } : {}),
      },
    })
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const span = this.start(args.node)
    if (span) this.spans.set(args.queryId, span)
    return args.node
  }

  /** The span started when `query` was compiled, or a new one for a raw or precompiled query. */
  private spanFor(query: CompiledQuery, batched: boolean): Span | undefined {
    const known = this.spans.get(query.queryId)
    if (known) {
      this.spans.delete(query.queryId)
      if (batched) known.setAttribute('orthrus.db.batched', true)
      return known
    }
    return this.start(query.query, query.sql, batched)
  }

  private async around<T>(span: Span | undefined, run: () => Promise<T>): Promise<T> {
    if (!span) return run()
    try {
      return await run()
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR })
      throw e
    } finally {
      span.end()
    }
  }

  /**
   * Queries compiled ahead (a statement cache's CompiledQuery.raw) skip the plugin hooks when
   * run with `executeQuery`: on this instance, they get their span here instead.
   */
  traceCompiledQueries(kysely: Kysely<never>): void {
    const execute = kysely.executeQuery.bind(kysely)
    kysely.executeQuery = ((query: Parameters<typeof execute>[0]) => {
      if (!isCompiledQuery(query) || this.spans.has(query.queryId)) return execute(query)
      return this.around(this.start(query.query, query.sql), () => execute(query))
    }) as typeof kysely.executeQuery
  }

  /** Wraps Db.batchedWrite: the span covers the wait for the group commit too. */
  traceBatchedWrites<R>(batchedWrite: (query: CompiledQuery) => Promise<R>): (query: CompiledQuery) => Promise<R> {
    return (query) => this.around(this.spanFor(query, true), () => batchedWrite(query))
  }

  // Kysely calls this only for a query that succeeded; a failed query's span is never ended,
  // hence never exported, and its entry goes with the query id.
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const span = this.spans.get(args.queryId)
    if (span) {
      this.spans.delete(args.queryId)
      if (args.result.numAffectedRows !== undefined) span.setAttribute('db.response.affected_rows', Number(args.result.numAffectedRows))
      else span.setAttribute('db.response.returned_rows', args.result.rows.length)
      span.end()
    }
    return args.result
  }
}

function isCompiledQuery(query: unknown): query is CompiledQuery {
  return typeof query === 'object' && query !== null && 'sql' in query && 'queryId' in query && !('compile' in query)
}
