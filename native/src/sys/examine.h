// Everything a mount's checks look at, gathered in one pass: every path opened once and
// described (OpenPaths), a short listing of one of them through its fd, and the mounts of one
// filesystem type. Only reads; the fds it opens belong to the caller.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sys/mount_list.h"
#include "sys/path_probe.h"

namespace ovl::sys {

struct Examined {
  std::vector<PathProbeResult> probes;
  bool listed = false;  // a listing was made (list_index named a path that could be opened) and succeeded
  std::vector<std::string> names;
  int list_err = 0;  // -errno when the listing failed; 0 otherwise
  const char* list_syscall = "";
  bool mounts_asked = false;
  std::vector<MountOfType> mounts;
  int mounts_err = 0;  // -errno when the mounts could not be listed
};

// list_index -1: no listing; magic 0: no mounts.
void Examine(const std::vector<std::string>& paths, int list_index, uint64_t list_max, uint64_t magic, Examined* out);

// Closes every fd Examine left open in `probes` (and forgets it).
void CloseProbes(std::vector<PathProbeResult>* probes);

}  // namespace ovl::sys
