// Looking at paths without changing anything: statx batches, realpath, directory listing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ovl::sys {

struct PathProbeResult {
  int err = 0;  // positive errno; when set, no other field is meaningful
  uint32_t mode = 0;
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  uint64_t ino = 0;
  uint64_t mount_id = 0;
  uint64_t unique_mount_id = 0;  // ProbePath only: STATX_MNT_ID_UNIQUE (6.8+, never reused); 0 when unknown
  bool is_symlink = false;
  bool symlink_known = false;  // ProbePath looks; OpenPath follows and does not
  bool has_realpath = false;
  std::string realpath;
  int fd = -1;  // OpenPath only: an O_PATH fd the caller owns and must close
};

// Never fails as a whole: each path gets its own result.
void ProbePath(const char* path, bool with_realpath, PathProbeResult* out);
void ProbePaths(const std::vector<std::string>& paths, bool with_realpath,
                std::vector<PathProbeResult>* out);

// Opens `path` once (O_PATH|O_CLOEXEC, following symlinks) and describes what it opened:
// statx on the fd, and the canonical path the kernel resolved (readlink of
// /proc/self/fd/N — one syscall instead of realpath(3)'s walk). Handing that fd on to
// fsconfig(FSCONFIG_SET_FD) mounts exactly the directory that was checked. On failure
// out->err is set and no fd stays open.
void OpenPath(const char* path, PathProbeResult* out);
void OpenPaths(const std::vector<std::string>& paths, std::vector<PathProbeResult>* out);

// Up to `max` names (without "." and ".."). On failure returns -errno and sets *syscall to
// "opendir" or "readdir".
int ListDir(const char* path, uint64_t max, std::vector<std::string>* names,
            const char** syscall);
// The same for the directory an fd (O_PATH is enough) refers to; *syscall is "openat",
// "getdents64" on failure.
int ListDirAt(int dir_fd, uint64_t max, std::vector<std::string>* names, const char** syscall);

}  // namespace ovl::sys
