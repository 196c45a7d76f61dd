/**
 * Runs `task` after the next frame is painted: work that can wait (the older chains of a big
 * store or file) never delays what the user sees.
 */
export function afterPaint(task: () => void): void {
  requestAnimationFrame(() => setTimeout(task, 0));
}
