// Labelled form controls that show the billing core's validation problems next to themselves. Each
// control is named by the JSON path of its value in the scenario document (`plans[0].amount_cents`),
// the path the core's `validate()` reports, which is also the control's element id.

import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { Problem } from 'lagom-billing';
import { parseNumberInput, type NumberInput } from '../design';

export type { Problem };

/** A problem's message without the path it starts with (the control already says where). */
export function reason(problem: Problem): string {
  const prefix = `${problem.path}: `;
  return problem.message.startsWith(prefix) ? problem.message.slice(prefix.length) : problem.message;
}

/** The current problems by path. */
export const ProblemsContext = createContext<ReadonlyMap<string, Problem[]>>(new Map());

/** The element id of the control for `path`. */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Whether two lists hold the same problems in the same order. */
export function sameProblems(a: readonly Problem[], b: readonly Problem[]): boolean {
  return a.length === b.length && a.every((p, i) => p.path === b[i].path && p.code === b[i].code && p.message === b[i].message);
}

/** Groups problems by path. */
export function problemsByPath(problems: readonly Problem[]): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const problem of problems) {
    map.set(problem.path, [...(map.get(problem.path) ?? []), problem]);
  }
  return map;
}

/** The messages of the problems at `path`, as an accessible description of the control. */
function useProblems(path: string) {
  const problems = useContext(ProblemsContext).get(path) ?? [];
  const id = fieldId(path);
  const messageId = `${id}-problem`;
  const aria = problems.length > 0 ? { 'aria-invalid': true, 'aria-describedby': messageId } : {};
  const messages =
    problems.length > 0 ? (
      <span class="problem" id={messageId} role="alert">
        {problems.map(reason).join('; ')}
      </span>
    ) : null;
  return { id, aria, messages };
}

/** A control's props: the value shown (`V`) and the value an edit gives (`O`). */
interface FieldProps<V, O = V> {
  label: string;
  path: string;
  value: V;
  onChange: (value: O) => void;
  hint?: string;
  /** Keeps the label for assistive technology only (tables whose headers say it). */
  hideLabel?: boolean;
}

function Labelled({ id, label, hint, hideLabel, children, messages }: {
  id: string;
  label: string;
  hint?: string;
  hideLabel?: boolean;
  children: ComponentChildren;
  messages: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={id} class={hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      {children}
      {hint ? <span class="hint">{hint}</span> : null}
      {messages}
    </div>
  );
}

export function TextField(props: FieldProps<string | null | undefined, string> & { placeholder?: string; list?: string }) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <Labelled id={id} label={props.label} hint={props.hint} hideLabel={props.hideLabel} messages={messages}>
      <input
        id={id}
        type="text"
        value={props.value ?? ''}
        placeholder={props.placeholder}
        list={props.list}
        onInput={(e) => props.onChange(e.currentTarget.value)}
        {...aria}
      />
    </Labelled>
  );
}

/** A decimal kept as a string, as Lago writes prices. */
export function DecimalField(props: FieldProps<unknown> & { placeholder?: string }) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <Labelled id={id} label={props.label} hint={props.hint} hideLabel={props.hideLabel} messages={messages}>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={props.value === null || props.value === undefined ? '' : String(props.value)}
        placeholder={props.placeholder}
        onInput={(e) => props.onChange(e.currentTarget.value === '' ? null : e.currentTarget.value)}
        {...aria}
      />
    </Labelled>
  );
}

/** An integer or other JSON number; text that is not a number is kept so that the core reports it. */
export function NumberField(props: FieldProps<NumberInput | null | undefined, NumberInput | null> & { placeholder?: string }) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <Labelled id={id} label={props.label} hint={props.hint} hideLabel={props.hideLabel} messages={messages}>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        value={props.value ?? ''}
        placeholder={props.placeholder}
        onInput={(e) => props.onChange(parseNumberInput(e.currentTarget.value))}
        {...aria}
      />
    </Labelled>
  );
}

export function CheckField(props: FieldProps<boolean | null | undefined, boolean>) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={props.value ?? false}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        {...aria}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? <span class="hint">{props.hint}</span> : null}
      {messages}
    </div>
  );
}

export function SelectField<T extends string>(
  props: FieldProps<T> & { options: readonly T[]; labels?: Partial<Record<T, string>> },
) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <Labelled id={id} label={props.label} hint={props.hint} hideLabel={props.hideLabel} messages={messages}>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)} {...aria}>
        {props.options.map((option) => (
          <option value={option}>{props.labels?.[option] ?? option}</option>
        ))}
      </select>
    </Labelled>
  );
}

/** A list of strings typed as comma-separated text. */
export function ListField(props: FieldProps<readonly string[], string[]> & { placeholder?: string }) {
  const { id, aria, messages } = useProblems(props.path);
  return (
    <Labelled id={id} label={props.label} hint={props.hint ?? 'comma-separated'} hideLabel={props.hideLabel} messages={messages}>
      <input
        id={id}
        type="text"
        value={props.value.join(', ')}
        placeholder={props.placeholder}
        onChange={(e) =>
          props.onChange(
            e.currentTarget.value
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          )
        }
        {...aria}
      />
    </Labelled>
  );
}

/** The problems no control shows, or all of them, as a list of links to their controls. */
export function ProblemList({ problems }: { problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <div class="problems" role="region" aria-label="Validation problems">
      <h3>{problems.length === 1 ? '1 problem' : `${problems.length} problems`}</h3>
      <ul>
        {problems.map((p) => (
          <li>
            <a
              href={`#${fieldId(p.path)}`}
              onClick={(e) => {
                const target = document.getElementById(fieldId(p.path));
                if (target) {
                  e.preventDefault();
                  target.focus();
                }
              }}
            >
              <code>{p.path || '(document)'}</code>
            </a>{' '}
            {reason(p)}
          </li>
        ))}
      </ul>
    </div>
  );
}
