/**
 * The one way the pages act: a button that opens a modal dialog saying exactly what the action
 * will do (describeAction), and performs it only on confirmation, showing the API's refusal
 * if there is one. Native <dialog>: focus stays inside, Escape cancels. Must never act without
 * the person's confirmation.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Action, describeAction } from '../../core/actions.js';
import { act, ApiError } from '../api.js';

export interface ActionButtonProps {
  /** Builds the action when the button is pressed (reads the form's current values). */
  action: () => Action | ApiError;
  label: string;
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  /** Called with the result after the action succeeded. */
  onDone?: (result: string) => void;
  /** Called with a refusal; when it returns true the dialog closes (the page shows the error). */
  onError?: (e: ApiError) => boolean;
}

export function ActionButton(props: ActionButtonProps): JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  const [action, setAction] = useState<Action | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [done, setDone] = useState<string | undefined>();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (action && !d.open) d.showModal();
    if (!action && d.open) d.close();
  }, [action]);

  const open = (): void => {
    const a = props.action();
    setDone(undefined);
    if (a instanceof ApiError) {
      setError(a);
      if (props.onError?.(a)) return;
      setAction(undefined);
      return;
    }
    setError(undefined);
    setAction(a);
  };
  const confirm = async (): Promise<void> => {
    if (!action) return;
    setBusy(true);
    try {
      const r = await act(action);
      setAction(undefined);
      setDone(`Done: ${r.result}.`);
      props.onDone?.(r.result);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, 'Error', String(e), undefined);
      if (props.onError?.(err)) setAction(undefined);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={props.danger ? 'danger' : ''}
        disabled={props.disabled}
        onClick={open}
      >
        {props.label}
      </button>
      {done ? (
        <span class="done" role="status">
          {done}
        </span>
      ) : null}
      {!action && error && !props.onError ? (
        <span class="error" role="alert">
          {error.message}
        </span>
      ) : null}
      <dialog ref={dialog} onClose={() => setAction(undefined)} aria-labelledby="confirm-title">
        {action ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              void confirm();
            }}
          >
            <h2 id="confirm-title">{props.label.replace(/…$/, '')}?</h2>
            <p class="what">{describeAction(action)}</p>
            {error ? (
              <p class="error" role="alert">
                <strong>{error.type}</strong>: {error.message}
              </p>
            ) : null}
            <div class="buttons">
              <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={busy}>
                {busy ? 'Working…' : (props.confirmLabel ?? 'Confirm')}
              </button>
              <button type="button" onClick={() => setAction(undefined)}>
                Cancel
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </span>
  );
}
