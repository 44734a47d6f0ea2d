// Classic mount syscalls, -errno style: 0 (or a result) on success, -errno on failure.
#pragma once

#include <cstdint>

namespace ovl::sys {

int Mount(const char* source, const char* target, const char* fstype, unsigned long flags,
          const void* data);
int Umount2(const char* target, int flags);
int Mknod(const char* path, uint32_t mode, uint32_t major, uint32_t minor);

// What stands at a mount target, and whether it was unmounted.
struct UmountIfResult {
  bool unmounted = false;
  bool target_exists = false;  // statx of the target succeeded
  uint64_t front_id = 0;       // id of the mount in front of the target (the kind asked for)
  uint64_t parent_id = 0;      // id of the mount its parent dir is on (same kind); 0 if unknown
};

// umount2(target, flags) only if the mount in front of `target` has the id `id` — the
// unique one (STATX_MNT_ID_UNIQUE, 6.8+) when `unique`, else the mountinfo one. statx and
// umount2 run back to back; when the ids differ nothing is unmounted and what stands there
// is described instead. Returns 0, or -errno of umount2 (statx failures are results).
int UmountIf(const char* target, uint64_t id, bool unique, int flags, UmountIfResult* out);

struct StatfsInfo {
  int64_t type = 0;    // f_type (filesystem magic)
  uint64_t flags = 0;  // ST_* flags of the mount and superblock
};
int Statfs(const char* path, StatfsInfo* out);

}  // namespace ovl::sys
