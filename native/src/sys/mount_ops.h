// Classic mount syscalls, -errno style: 0 (or a result) on success, -errno on failure.
#pragma once

#include <cstdint>

namespace ovl::sys {

int Mount(const char* source, const char* target, const char* fstype, unsigned long flags,
          const void* data);
int Umount2(const char* target, int flags);
int Mknod(const char* path, uint32_t mode, uint32_t major, uint32_t minor);

struct StatfsInfo {
  int64_t type = 0;    // f_type (filesystem magic)
  uint64_t flags = 0;  // ST_* flags of the mount and superblock
};
int Statfs(const char* path, StatfsInfo* out);

}  // namespace ovl::sys
