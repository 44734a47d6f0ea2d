/**
 * The command that made an image layer, as a row can show it: Docker's and buildah's shell
 * wrapper (`/bin/sh -c #(nop) `) dropped, whitespace runs folded to one space. Pure.
 */
export function shortCreatedBy(createdBy: string | undefined): string {
  if (createdBy === undefined || createdBy.trim() === '') return '(command not recorded)';
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/\s+/g, ' ')
    .trim();
}
