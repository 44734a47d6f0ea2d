// ListMountsOfType syscalls, in order: listmount(LSMT_ROOT) (again with a bigger buffer
// while it fills up) · statmount(SB_BASIC) per mount not seen before · statmount(MNT_BASIC |
// MNT_POINT | MNT_OPTS) per mount of the wanted type. Nothing to undo: it only reads.
// The uapi constants are spelled out here as the kernel defines them (include/uapi/linux/
// mount.h): the libc headers of the build machine may predate them.
#include "sys/mount_list.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_set>
#include <sys/syscall.h>
#include <unistd.h>

namespace ovl::sys {

namespace {

#ifndef SYS_statmount
constexpr long kSysStatmount = 457;
#else
constexpr long kSysStatmount = SYS_statmount;
#endif
#ifndef SYS_listmount
constexpr long kSysListmount = 458;
#else
constexpr long kSysListmount = SYS_listmount;
#endif

constexpr uint64_t kLsmtRoot = ~0ULL;
constexpr uint64_t kSbBasic = 0x1, kMntBasic = 0x2, kMntPoint = 0x10, kMntOpts = 0x80;

struct MntIdReq {
  uint32_t size;
  uint32_t spare;
  uint64_t mnt_id;
  uint64_t param;
  uint64_t mnt_ns_id;  // 0: the caller's namespace
};

// struct statmount up to the fields read here; the kernel fills what the buffer holds and
// puts the strings after the fixed part, at offsets into `str`.
struct StatmountHead {
  uint32_t size;
  uint32_t mnt_opts;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
  uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point;
  uint64_t mnt_ns_id;
  uint32_t fs_subtype, sb_source, opt_num, opt_array, opt_sec_num, opt_sec_array;
  uint64_t supported_mask;
  uint32_t mnt_uidmap_num, mnt_uidmap, mnt_gidmap_num, mnt_gidmap;
  uint64_t spare2[43];
};
static_assert(sizeof(StatmountHead) == 512, "struct statmount is 512 bytes before its strings");

int Statmount(uint64_t id, uint64_t mask, void* buf, size_t size) {
  MntIdReq req = {sizeof req, 0, id, mask, 0};
  return ::syscall(kSysStatmount, &req, buf, size, 0) < 0 ? -errno : 0;
}

int ListAll(std::vector<uint64_t>* ids) {
  ids->resize(256);
  for (;;) {
    MntIdReq req = {sizeof req, 0, kLsmtRoot, 0, 0};
    long n = ::syscall(kSysListmount, &req, ids->data(), ids->size(), 0);
    if (n < 0) return -errno;
    if (static_cast<size_t>(n) < ids->size()) {
      ids->resize(static_cast<size_t>(n));
      return 0;
    }
    ids->resize(ids->size() * 4);  // it may have been cut short: ask again for all
  }
}

// Unique ids of mounts known to be of another type than asked, per asked type. Shared by
// every thread of the pool, hence the lock.
std::mutex other_type_lock;
uint64_t other_type_magic = 0;
std::unordered_set<uint64_t> other_type_ids;
constexpr size_t kMaxRemembered = 1 << 16;

}  // namespace

int ListMountsOfType(uint64_t magic, std::vector<MountOfType>* out) {
  std::vector<uint64_t> ids;
  if (int rc = ListAll(&ids); rc < 0) return rc;
  {
    std::lock_guard<std::mutex> hold(other_type_lock);
    if (other_type_magic == magic) {
      ids.erase(std::remove_if(ids.begin(), ids.end(), [](uint64_t id) { return other_type_ids.count(id) != 0; }), ids.end());
    }
  }
  std::vector<uint64_t> new_other;
  std::string buf(sizeof(StatmountHead) + 4096, '\0');
  for (uint64_t id : ids) {
    auto* sm = reinterpret_cast<StatmountHead*>(buf.data());
    // The whole buffer, not just the 512 bytes known here: a later kernel may fill a longer struct.
    int rc = Statmount(id, kSbBasic, buf.data(), buf.size());
    if (rc == -ENOENT) continue;  // unmounted since listmount
    if (rc < 0) return rc;
    if (sm->sb_magic != magic) {
      new_other.push_back(id);
      continue;
    }
    for (;;) {
      rc = Statmount(id, kMntBasic | kMntPoint | kMntOpts, buf.data(), buf.size());
      if (rc != -EOVERFLOW) break;
      buf.resize(buf.size() * 4);  // long option strings: 500 layers of 200 bytes is 100 KB
      sm = reinterpret_cast<StatmountHead*>(buf.data());
    }
    if (rc == -ENOENT) continue;
    if (rc < 0) return rc;
    sm = reinterpret_cast<StatmountHead*>(buf.data());
    // A string the kernel did not write has no mask bit: a filesystem without options of its
    // own, or a kernel before 6.11 for MNT_OPTS. The mount point always has one.
    if (!(sm->mask & kMntPoint)) return -EOPNOTSUPP;
    const char* str = buf.data() + sizeof(StatmountHead);
    MountOfType m;
    m.unique_id = sm->mnt_id;
    m.old_id = sm->mnt_id_old;
    m.mount_point = str + sm->mnt_point;
    if (sm->mask & kMntOpts) m.options = str + sm->mnt_opts;
    m.readonly = (sm->mnt_attr & 0x1 /* MOUNT_ATTR_RDONLY */) != 0;
    out->push_back(std::move(m));
  }
  if (!new_other.empty()) {
    std::lock_guard<std::mutex> hold(other_type_lock);
    if (other_type_magic != magic || other_type_ids.size() + new_other.size() > kMaxRemembered) {
      other_type_ids.clear();
      other_type_magic = magic;
    }
    other_type_ids.insert(new_other.begin(), new_other.end());
  }
  return 0;
}

}  // namespace ovl::sys
