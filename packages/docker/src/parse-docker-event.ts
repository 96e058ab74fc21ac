/**
 * One line of Docker's event stream (`GET /events`, JSON lines) to a container event. Pure and
 * total: anything that is not a container event, or not JSON, is undefined, never a throw.
 */

/** One container event (Docker's `Action`, e.g. start, die, destroy, health_status). */
export interface DockerEvent {
  /** The verb only: `exec_start: sh` is `exec_start`, `health_status: healthy` is `health_status`. */
  readonly action: string;
  /** Full container ID. */
  readonly id: string;
  /** Event time in ms since the epoch (Docker's timeNano / 1e6). */
  readonly time: number;
  /**
   * Docker's Actor.Attributes (name, image, exitCode, oldName, labels...); a health event
   * also carries `health_status` (healthy, unhealthy, starting).
   */
  readonly attributes: Readonly<Record<string, string>>;
}

interface EventMessage {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** Parses one line of Docker's event stream; undefined for anything but a container event. */
export function parseDockerEvent(line: string): DockerEvent | undefined {
  let msg: EventMessage;
  try {
    msg = JSON.parse(line) as EventMessage;
  } catch {
    return undefined;
  }
  if (msg === null || typeof msg !== 'object') return undefined;
  if (msg.Type !== undefined && msg.Type !== 'container') return undefined;
  const id = msg.Actor?.ID ?? msg.id;
  const full = msg.Action ?? msg.status ?? '';
  const action = full.split(':', 1)[0]?.trim() ?? '';
  if (!id || !action) return undefined;
  const time =
    typeof msg.timeNano === 'number'
      ? msg.timeNano / 1e6
      : typeof msg.time === 'number'
        ? msg.time * 1000
        : Date.now();
  const attributes = { ...(msg.Actor?.Attributes ?? {}) };
  // `health_status: healthy` carries the status in the action text.
  if (action === 'health_status' && full.includes(':')) {
    attributes['health_status'] = full.slice(full.indexOf(':') + 1).trim();
  }
  return { action, id, time, attributes };
}
