// Examine syscalls, in order: OpenPaths (see path_probe.cc) · [ListDirAt on the listed path's
// fd] · [ListMountsOfType (see mount_list.cc)]. Nothing to undo: it only reads; the fds stay
// open for the caller, who closes them (CloseProbes).
#include "sys/examine.h"

#include <unistd.h>

namespace ovl::sys {

void Examine(const std::vector<std::string>& paths, int list_index, uint64_t list_max, uint64_t magic, Examined* out) {
  OpenPaths(paths, &out->probes);
  if (list_index >= 0 && out->probes[list_index].fd >= 0) {
    out->list_err = ListDirAt(out->probes[list_index].fd, list_max, &out->names, &out->list_syscall);
    out->listed = out->list_err == 0;
  }
  if (magic != 0) {
    out->mounts_asked = true;
    out->mounts_err = ListMountsOfType(magic, &out->mounts);
  }
}

void CloseProbes(std::vector<PathProbeResult>* probes) {
  for (PathProbeResult& p : *probes) {
    if (p.fd >= 0) ::close(p.fd);
    p.fd = -1;
  }
}

}  // namespace ovl::sys
