/**
 * Runs tasks one at a time, in the order they were asked for. A task that fails does not stop the
 * ones after it. Used for every change of model state, so that checks made at the start of one
 * change (is this model current? is it downloading?) still hold when it acts on them.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
