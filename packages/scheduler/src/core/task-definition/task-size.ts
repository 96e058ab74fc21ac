/**
 * Task-level `cpu` and `memory` as ECS accepts them: CPU units ("1024") or vCPUs ("1 vCPU",
 * "0.25 vcpu"), MiB ("512") or GB ("1GB", "0.5 GB"), converted to whole units as ECS stores
 * them. Pure: must never throw; callers turn `undefined` into an error naming the field.
 */

/** ECS's EC2 bounds on task-level CPU units (0.125 to 192 vCPU). */
export const TASK_CPU_RANGE = { min: 128, max: 196_608 } as const;
/** Smallest task-level memory in MiB that a container runtime accepts. */
export const TASK_MEMORY_MIN = 4;

/** CPU units from "256", "1 vCPU", "0.25vcpu" or 256; undefined when not a whole unit count. */
export function parseTaskCpu(value: unknown): number | undefined {
  return parseScaled(value, /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i, 1024);
}

/** MiB from "512", "1GB", "0.5 gb" or 512; undefined when not a whole MiB count. */
export function parseTaskMemory(value: unknown): number | undefined {
  return parseScaled(value, /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i, 1024);
}

function parseScaled(value: unknown, re: RegExp, unit: number): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = re.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]) * (m[2] === undefined ? 1 : unit);
  return Number.isSafeInteger(n) ? n : undefined;
}
