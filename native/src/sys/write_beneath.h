// Writing a tree into a dir (an overlay layer, or a plain root fs) from an archive we do not
// trust: every path is resolved beneath the root with no symlinks anywhere (openat2
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) and the last component is
// created or changed relative to its parent's fd, never followed. A symlink the archive made,
// or one already in the dir, can therefore never carry a write outside the root: the call
// fails with ELOOP (or EXDEV) instead.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ovl::sys {

enum class WriteKind : uint8_t {
  kFile,      // regular file content at `offset` (`first`: create afresh; `last`: then metadata)
  kDir,       // mkdir, or keep an existing dir; then metadata
  kSymlink,   // symlink to `target` (bytes, never resolved)
  kHardlink,  // link to the existing entry `target` (a path beneath the root)
  kCharDev,
  kBlockDev,
  kFifo,
  kRemove,    // remove `rel` and everything under it; absent is fine
  kEmpty,     // remove everything inside the dir `rel`; absent or not a dir is fine
  kTimes,     // set only the mtime (dirs, once their content is written)
  kUnsetXattrs,  // remove the xattrs named in `xattrs` (values ignored); absent ones are fine
};

struct WriteEntry {
  WriteKind kind = WriteKind::kFile;
  std::string rel;  // "a/b/c" beneath the root; "." is the root itself (kEmpty, kTimes, kDir)
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky
  bool set_owner = false;
  uint32_t uid = 0, gid = 0;
  bool set_times = false;
  int64_t mtime_sec = 0;
  uint32_t mtime_nsec = 0;
  uint32_t dev_major = 0, dev_minor = 0;
  std::string target;
  std::string data;
  uint64_t offset = 0;
  bool first = true, last = true;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// Applies `entries` in order beneath `root`. Returns 0, or -errno with *failed (the index of
// the entry) and *syscall set; entries before it stay applied.
int WriteBeneath(const char* root, const std::vector<WriteEntry>& entries, size_t* failed, const char** syscall);

}  // namespace ovl::sys
