// Small building blocks shared by the pages: labelled fields with hints and errors, copy
// buttons, confirmation dialogs (native <dialog>: focus trap and Escape for free), error boxes.
import type { ComponentChildren, TargetedSubmitEvent } from 'preact'
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { ApiError } from './api.js'

interface FieldProps {
  label: string
  hint?: ComponentChildren
  error?: string
  name: string
}

/** Props that tie a control to its label, hint and error (WCAG 1.3.1, 3.3.1). */
function described(id: string, p: FieldProps) {
  const by = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter((x) => x !== '').join(' ')
  return { id, name: p.name, 'aria-invalid': p.error ? ('true' as const) : undefined, 'aria-describedby': by || undefined }
}

function FieldShell(p: FieldProps & { id: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.children}
      {p.hint && (
        <span class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </span>
      )}
      {p.error && (
        <span class="field-error" id={`${p.id}-error`} data-field-error={p.name}>
          {p.error}
        </span>
      )}
    </div>
  )
}

export function TextField(p: FieldProps & { value: string; onInput: (v: string) => void; type?: 'text' | 'password' | 'datetime-local'; placeholder?: string; required?: boolean; autoComplete?: string }) {
  const id = useId()
  return (
    <FieldShell {...p} id={id}>
      <input
        {...described(id, p)}
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        placeholder={p.placeholder}
        required={p.required}
        autoComplete={p.autoComplete ?? 'off'}
        spellcheck={false}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
      />
    </FieldShell>
  )
}

export function TextArea(p: FieldProps & { value: string; onInput: (v: string) => void; rows?: number; placeholder?: string }) {
  const id = useId()
  return (
    <FieldShell {...p} id={id}>
      <textarea {...described(id, p)} rows={p.rows ?? 3} value={p.value} placeholder={p.placeholder} spellcheck={false} onInput={(e) => p.onInput((e.target as HTMLTextAreaElement).value)} />
    </FieldShell>
  )
}

export function SelectField(p: FieldProps & { value: string; onChange: (v: string) => void; options: ReadonlyArray<readonly [string, string]> }) {
  const id = useId()
  return (
    <FieldShell {...p} id={id}>
      <select {...described(id, p)} value={p.value} onChange={(e) => p.onChange((e.target as HTMLSelectElement).value)}>
        {p.options.map(([value, label]) => (
          <option value={value} key={value}>
            {label}
          </option>
        ))}
      </select>
    </FieldShell>
  )
}

export function CheckGroup(p: { legend: string; name: string; hint?: ComponentChildren; error?: string; options: ReadonlyArray<readonly [string, string]>; value: readonly string[]; onChange: (v: string[]) => void }) {
  const id = useId()
  return (
    <fieldset aria-describedby={[p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].join(' ').trim() || undefined}>
      <legend>{p.legend}</legend>
      {p.options.map(([value, label]) => (
        <label class="check" key={value}>
          <input
            type="checkbox"
            name={p.name}
            value={value}
            checked={p.value.includes(value)}
            onChange={(e) => p.onChange((e.target as HTMLInputElement).checked ? [...p.value, value] : p.value.filter((v) => v !== value))}
          />
          {label}
        </label>
      ))}
      {p.hint && (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      )}
      {p.error && (
        <span class="field-error" id={`${id}-error`} data-field-error={p.name}>
          {p.error}
        </span>
      )}
    </fieldset>
  )
}

export function Checkbox(p: { label: string; name: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
  return (
    <div class="field">
      <label class="check">
        <input type="checkbox" name={p.name} checked={p.checked} onChange={(e) => p.onChange((e.target as HTMLInputElement).checked)} />
        {p.label}
      </label>
      {p.hint && <span class="hint">{p.hint}</span>}
    </div>
  )
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // Outside a secure context there is no Clipboard API: fall back to a selected textarea.
    const area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'visually-hidden'
    document.body.append(area)
    area.select()
    const ok = document.execCommand('copy')
    area.remove()
    return ok
  }
}

export function CopyButton(p: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const t = setTimeout(() => setState('idle'), 2000)
    return () => clearTimeout(t)
  }, [state])
  const what = p.label ?? 'Copy'
  return (
    <button type="button" class="secondary small copy" onClick={async () => setState((await copyText(p.text)) ? 'done' : 'failed')} aria-label={`${what} to the clipboard`}>
      <span aria-live="polite">{state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : what}</span>
    </button>
  )
}

/** A value in a monospace box with a copy button beside it. */
export function Copyable(p: { value: string; label: string; multiline?: boolean }) {
  return (
    <div class="copyable">
      {p.multiline ? (
        <pre>
          <code>{p.value}</code>
        </pre>
      ) : (
        <code class="value">{p.value}</code>
      )}
      <CopyButton text={p.value} label={`Copy ${p.label}`} />
    </div>
  )
}

export function ErrorBox(p: { error: unknown; title?: string }) {
  if (p.error === undefined || p.error === null) return null
  const e = p.error instanceof ApiError ? p.error : new ApiError(0, 'error', p.error instanceof Error ? p.error.message : String(p.error))
  return (
    <div class="alert error" role="alert">
      <p>
        <strong>{p.title ?? 'The admin API refused the request'}</strong>
        {e.status > 0 && <span class="badge bad">{e.status}</span>} <code>{e.error}</code>
      </p>
      <p>{e.description}</p>
    </div>
  )
}

/** A modal confirmation; `onConfirm` runs when the operator says yes. */
export function ConfirmDialog(p: { title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => Promise<void> | void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
  }, [])
  const confirm = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await p.onConfirm()
      p.onClose()
    } catch (e) {
      setError(e)
      setBusy(false)
    }
  }
  return (
    <dialog ref={ref} onClose={p.onClose} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{p.title}</h2>
      {p.children}
      <ErrorBox error={error} />
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {p.confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={() => ref.current?.close()} autoFocus>
          Cancel
        </button>
      </div>
    </dialog>
  )
}

export function Loading(p: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {p.what}…
    </p>
  )
}

export function PageHeader(p: { title: string; children?: ComponentChildren; intro?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{p.title}</h1>
        {p.intro && <p class="muted">{p.intro}</p>}
      </div>
      {p.children && <div class="page-actions">{p.children}</div>}
    </header>
  )
}

export function Badges(p: { values?: readonly string[] | undefined; empty?: string }) {
  if (!p.values || p.values.length === 0) return <span class="muted">{p.empty ?? '—'}</span>
  return (
    <>
      {p.values.map((v) => (
        <span class="badge" key={v}>
          {v}
        </span>
      ))}
    </>
  )
}

export const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : '—')

export type FormEvent = TargetedSubmitEvent<HTMLFormElement>

/** A scrollable table with column headers; `actions` adds an unlabelled column for row buttons. */
export function Table(p: { columns: readonly string[]; actions?: boolean; class?: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class={p.class}>
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
            {p.actions && (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  )
}

/** The cell of a row's destructive action; `label` names what it acts on for screen readers. */
export function DangerCell(p: { label: string; text?: string; onClick: () => void }) {
  return (
    <td>
      <button type="button" class="danger small" aria-label={p.label} onClick={p.onClick}>
        {p.text ?? 'Delete'}
      </button>
    </td>
  )
}
