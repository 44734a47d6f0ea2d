/** The text of `ovl-tui --help` (and, on stderr, after a bad argument). */
export const USAGE = `Usage:
  ovl-tui                                       pick a mounted overlay, a container or an image
  ovl-tui <merged-dir>                          open a mounted overlay (a container's, say)
  ovl-tui --lower A [--lower B ...] --upper U --work W --mount M [--keep]
                                                mount an overlay on M, open it, unmount on quit
  ovl-tui --lower A [--lower B ...] [--upper U] the offline view of layer dirs (read-only, no root)
  ovl-tui --container REF [--engine E]          a container by name, id or id prefix
  ovl-tui --image REF [--engine E]              an image: its layers, and what each one changed
  ovl-tui --list                                every container and image (--json: with their layer dirs)
  ovl-tui --demo                                the article's example in a temp dir (root)
  ovl-tui --json <merged-dir | layer flags>     print the merged tree and the changes as JSON
  ovl-tui --cleanup                             unmount what a killed ovl-tui left mounted (root)

Options:
  --lower DIR   a lower layer, top-most first (repeat for more)
  --upper DIR   the upper layer (where changes go)
  --work DIR    the work dir (same filesystem as --upper)
  --mount DIR   where to mount the overlay
  --keep        leave the overlay mounted on quit
  --json        no UI: print JSON on stdout
  --engine E    podman, docker or containerd, when a name is in more than one
  -h, --help    this text
  -V, --version the version

In the app, press ? for every key.
Engines are read from their default storage; OVL_TUI_PODMAN_ROOT, OVL_TUI_DOCKER_ROOT and
OVL_TUI_CONTAINERD_ROOT name others, OVL_TUI_ENGINES=podman,docker limits which are read.`;
