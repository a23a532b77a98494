import type { TaskInput } from './task-input';

/**
 * What each task type takes and gives, for compile-time checks:
 * `SwitchyardClient<{ 'image.resize': { payload: ResizeInput; result: ResizeOutput } }>`.
 */
export type TaskMap = Record<string, { payload: unknown; result: unknown }>;

/** The map of an untyped client: any type, any payload. */
export type AnyTasks = Record<string, { payload: unknown; result: unknown }>;

export type TaskName<T extends TaskMap> = keyof T & string;

/** Everything a submission may set besides the type and payload. */
export type SubmitOptions = Omit<TaskInput, 'type' | 'payload'>;

/** A submission of type K: its payload must be T[K]['payload'] (optional only if that allows undefined). */
export type TypedTaskInput<T extends TaskMap, K extends TaskName<T>> = SubmitOptions & {
  type: K;
} & (undefined extends T[K]['payload']
    ? { payload?: T[K]['payload'] }
    : { payload: T[K]['payload'] });

/** A submitted task, remembering its type so `waitForResult` knows the result type. */
export interface TaskRef<K extends string = string> {
  id: string;
  type: K;
}
