/** The CLI's error object: the last line of stderr with -o json (log lines may come before it). */
export function lastJson(stderr: string): any {
  return JSON.parse(stderr.trim().split('\n').at(-1) ?? '');
}
