// Syscalls of RunFsMountPlan, in order:
//   fsopen(fstype, FSOPEN_CLOEXEC)
//   per param: [open(value, O_PATH|O_DIRECTORY|O_CLOEXEC[|O_NOFOLLOW]) for 'path' params]
//              fsconfig(SET_FLAG | SET_STRING | SET_FD)  [close(layer fd) right after]
//   fsconfig(FSCONFIG_CMD_CREATE)
//   fsmount(fsfd, FSMOUNT_CLOEXEC, attrs)
//   [fstatvfs(mountfd) when refuse_readonly and attrs lacks MOUNT_ATTR_RDONLY]
//   statx(mountfd, "", AT_EMPTY_PATH, STATX_MNT_ID), and again with STATX_MNT_ID_UNIQUE: the
//     mount's ids, for the caller to know its own mount later (the unique one is never reused)
//   move_mount(mountfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)
//   close(mountfd), close(fsfd)
// Undone on failure: every fd is closed. Nothing else needs undoing: until move_mount
// succeeds the new mount is detached, and closing its fd tears it down (and the superblock
// with it, once the fs_context is closed too). After a failure with the fs_context open, its
// log is read into Failure::kernel_messages.
// The raw wrappers are one syscall each; ReadFsLog is read(2) until ENODATA, and
// ReadFsLogIfFsContext does readlink(/proc/self/fd/N) first. None of them undo anything.
#include "sys/fs_context.h"
#include "sys/statx_compat.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace ovl::sys {

namespace {

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
// Plain numbers instead of enum fsconfig_command: older libcs lack the enum entirely.
constexpr unsigned int kSetFlag = 0, kSetString = 1, kSetFd = 5, kCmdCreate = 6;

// The kernel formats each message with a printf-style format and no size limit; 8 KiB is
// far beyond anything filesystems log. A longer message is consumed by the kernel anyway
// (EMSGSIZE), so it is replaced by a marker instead of stopping the drain.
constexpr size_t kMaxLogMessage = 8192;
// The log is a ring of 8 entries; the bound only guards against a kernel that never says
// ENODATA.
constexpr int kMaxLogReads = 64;

int ErrnoOr(long rc) { return rc < 0 ? -errno : static_cast<int>(rc); }

// Closes an fd on every exit path of the plan.
class FdGuard {
 public:
  explicit FdGuard(int fd = -1) : fd_(fd) {}
  ~FdGuard() { Reset(); }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

}  // namespace

int FsOpen(const char* fstype, unsigned int flags) {
  return ErrnoOr(::syscall(SYS_fsopen, fstype, flags));
}

int FsConfig(int fd, unsigned int cmd, const char* key, const void* value, int aux) {
  return ErrnoOr(::syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}

int FsMount(int fd, unsigned int flags, unsigned int attrs) {
  return ErrnoOr(::syscall(SYS_fsmount, fd, flags, attrs));
}

int MoveMount(int from_dfd, const char* from_path, int to_dfd, const char* to_path,
              unsigned int flags) {
  return ErrnoOr(::syscall(SYS_move_mount, from_dfd, from_path, to_dfd, to_path, flags));
}

int Close(int fd) {
  // Linux releases the fd even when close reports EINTR; retrying could close a reused fd.
  if (::close(fd) < 0 && errno != EINTR) return -errno;
  return 0;
}

int ReadFsLog(int fd, std::vector<std::string>* out) {
  std::string buf(kMaxLogMessage, '\0');
  for (int i = 0; i < kMaxLogReads; ++i) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) return 0;  // not an fs_context after all (EOF); the log never yields ""
    if (n > 0) {
      // Recent kernels end each message with a newline; callers want bare lines.
      while (n > 0 && buf[n - 1] == '\n') --n;
      out->emplace_back(buf.data(), static_cast<size_t>(n));
      continue;
    }
    if (errno == ENODATA) return 0;
    if (errno == EMSGSIZE) {
      out->emplace_back("(message longer than 8192 bytes dropped)");
      continue;
    }
    if (errno == EINTR) continue;
    return -errno;
  }
  return 0;
}

void ReadFsLogIfFsContext(int fd, std::vector<std::string>* out) {
  char proc_path[64];
  char target[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(proc_path, target, sizeof target - 1);
  if (n < 0) return;
  target[n] = '\0';
  if (std::strcmp(target, "anon_inode:[fscontext]") != 0) return;
  ReadFsLog(fd, out);
}

namespace {

// Applies one plan parameter; on failure fills everything but kernel_messages.
bool ApplyParam(int fsfd, const FsParamSpec& p, int index, Failure* f) {
  int rc = 0;
  switch (p.type) {
    case FsParamSpec::Type::kFlag:
      rc = FsConfig(fsfd, kSetFlag, p.key.c_str(), nullptr, 0);
      break;
    case FsParamSpec::Type::kString:
      rc = FsConfig(fsfd, kSetString, p.key.c_str(), p.value.c_str(), 0);
      break;
    case FsParamSpec::Type::kFd:
      rc = FsConfig(fsfd, kSetFd, p.key.c_str(), nullptr, p.fd);
      break;
    case FsParamSpec::Type::kOpened:
      rc = -EINVAL;  // resolved by RunExamineAndMount; never reaches the kernel as such
      break;
    case FsParamSpec::Type::kPath: {
      int flags = O_PATH | O_DIRECTORY | O_CLOEXEC | (p.no_follow ? O_NOFOLLOW : 0);
      FdGuard layer(ErrnoOr(::open(p.value.c_str(), flags)));
      if (layer.get() < 0) {
        f->Set(layer.get(), "open");
        f->step = "open-layer";
        f->key = p.key;
        f->param_index = index;
        f->path = p.value;
        return false;
      }
      // The layer fd is closed right after: the kernel holds its own reference to the path.
      rc = FsConfig(fsfd, kSetFd, p.key.c_str(), nullptr, layer.get());
      break;
    }
  }
  if (!f->Set(rc, "fsconfig")) return true;
  f->step = "fsconfig";
  f->key = p.key;
  f->param_index = index;
  if (p.type == FsParamSpec::Type::kString || p.type == FsParamSpec::Type::kPath) f->path = p.value;
  return false;
}

bool ConfigureAndMount(const FsMountPlanSpec& plan, int fsfd, MountIds* ids, Failure* f) {
  for (size_t i = 0; i < plan.params.size(); ++i) {
    if (!ApplyParam(fsfd, plan.params[i], static_cast<int>(i), f)) return false;
  }
  if (f->Set(FsConfig(fsfd, kCmdCreate, nullptr, nullptr, 0), "fsconfig")) {
    f->step = "create";
    return false;
  }
  FdGuard mnt(FsMount(fsfd, FSMOUNT_CLOEXEC, plan.attrs));
  if (f->Set(mnt.get(), "fsmount")) {
    f->step = "fsmount";
    return false;
  }
  if (plan.refuse_readonly && !(plan.attrs & MOUNT_ATTR_RDONLY)) {
    struct statvfs sv;
    int rc = ErrnoOr(::fstatvfs(mnt.get(), &sv));
    if (rc == 0 && (sv.f_flag & ST_RDONLY)) rc = -EROFS;
    if (f->Set(rc, "fstatvfs")) {
      f->step = "verify";
      return false;  // the mount was never attached; closing mnt discards it
    }
  }
  struct statx stx;
  if (f->Set(ErrnoOr(::statx(mnt.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &stx)), "statx")) {
    f->step = "verify";
    return false;
  }
  ids->mount_id = stx.stx_mnt_id;
  if (::statx(mnt.get(), "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &stx) == 0 && (stx.stx_mask & STATX_MNT_ID_UNIQUE)) {
    ids->unique_mount_id = stx.stx_mnt_id;
  }
  if (f->Set(MoveMount(mnt.get(), "", AT_FDCWD, plan.target.c_str(), MOVE_MOUNT_F_EMPTY_PATH),
             "move_mount")) {
    f->step = "move_mount";
    f->path = plan.target;
    return false;
  }
  return true;
}

}  // namespace

bool RunFsMountPlan(const FsMountPlanSpec& plan, MountIds* ids, Failure* f) {
  FdGuard fsfd(FsOpen(plan.fstype.c_str(), FSOPEN_CLOEXEC));
  if (f->Set(fsfd.get(), "fsopen")) {
    f->step = "fsopen";
    return false;
  }
  if (ConfigureAndMount(plan, fsfd.get(), ids, f)) return true;
  // Any step may have logged why (even warnings before an open-layer failure help).
  ReadFsLog(fsfd.get(), &f->kernel_messages);
  return false;
}

}  // namespace ovl::sys
