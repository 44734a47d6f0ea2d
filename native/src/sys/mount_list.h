// The mounts of this mount namespace that belong to one filesystem type, read with
// listmount(2) + statmount(2) (Linux 6.8; mount options need 6.11) instead of formatting and
// parsing all of /proc/self/mountinfo.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ovl::sys {

struct MountOfType {
  uint64_t unique_id = 0;  // never reused while the machine runs
  uint32_t old_id = 0;     // the id /proc/self/mountinfo shows
  std::string mount_point; // relative to the caller's root, raw bytes (no escaping)
  std::string options;     // the super options as mountinfo shows them, still escaped (no leading rw/ro); may be empty
  bool readonly = false;   // MOUNT_ATTR_RDONLY: this mount is read-only
};

// Every mount reachable from the caller's root whose superblock has `magic`. Returns 0, or
// -errno: -ENOSYS when the kernel lacks listmount/statmount (before 6.8); the caller then
// reads /proc/self/mountinfo. `options` stays empty where the kernel wrote none: a
// filesystem without options of its own, or any mount before 6.11 (STATMOUNT_MNT_OPTS).
// A mount's superblock never changes, so mounts found to be of another type are remembered
// (by unique id) and not asked again: a check costs one listmount plus one statmount per
// matching mount and per mount new since the last call.
int ListMountsOfType(uint64_t magic, std::vector<MountOfType>* out);

}  // namespace ovl::sys
