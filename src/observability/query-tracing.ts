// One client span per database query, as a Kysely plugin. Loaded (and the plugin installed) only
// when tracing is on. A span names the statement kind and the table, never the SQL text or a
// parameter value: those carry token signatures, client ids and sealed sessions.
import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'
import { SpanKind, context, trace, type Span, type Tracer } from '@opentelemetry/api'

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

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    // Only queries made on behalf of something traced (a request, a grant): startup and
    // background queries would make a root trace each.
    if (trace.getSpan(context.active()) === undefined) return args.node
    const operation = operationOf(args.node)
    const table = tableOf(args.node)
    const span = this.tracer.startSpan(table ? `${operation} ${table}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': this.system,
        'db.operation.name': operation,
        ...(table ? { 'db.collection.name': table } : {}),
      },
    })
    this.spans.set(args.queryId, span)
    return args.node
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
