// What every "beneath a root" call shares: an fd that closes itself, and openat2 that never
// passes a symlink nor leaves the dir it starts from.
#pragma once

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ovl::sys {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reading a layer must not write to it: a read-only open (not O_PATH) is tried with O_NOATIME,
// so reading a file or listing a dir leaves its atime alone (under relatime the kernel would
// write one on the first read after each change, dirtying the inode of every file an export
// reads). The kernel refuses O_NOATIME (EPERM) to a caller that neither owns the file nor has
// CAP_FOWNER: that open is retried without it. `open(flags)` returns the fd or -errno.
template <typename OpenFn>
int OpenLeavingAtime(uint64_t flags, OpenFn open) {
  if ((flags & O_PATH) != 0 || (flags & O_ACCMODE) != O_RDONLY) return open(flags);
  const int fd = open(flags | O_NOATIME);
  return fd == -EPERM ? open(flags) : fd;
}

// ::open(path, flags | O_CLOEXEC), as OpenLeavingAtime opens: the fd, or -errno.
inline int OpenToRead(const char* path, uint64_t flags) {
  return OpenLeavingAtime(flags | O_CLOEXEC, [path](uint64_t f) {
    const int fd = ::open(path, static_cast<int>(f));
    return fd < 0 ? -errno : fd;
  });
}

// openat2(dirfd, rel, flags | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS), as OpenLeavingAtime opens: the fd, or -errno (ELOOP: a symlink on
// the way; EXDEV: the path leaves dirfd; ENOSYS: a kernel before 5.6).
inline int OpenBeneath(int dirfd, const char* rel, uint64_t flags) {
#ifdef SYS_openat2
  return OpenLeavingAtime(flags | O_CLOEXEC, [dirfd, rel](uint64_t f) {
    struct {
      uint64_t flags, mode, resolve;
    } how = {f, 0, 0x08 /* BENEATH */ | 0x04 /* NO_SYMLINKS */ | 0x02 /* NO_MAGICLINKS */};
    const int fd = static_cast<int>(::syscall(SYS_openat2, dirfd, rel, &how, sizeof how));
    return fd < 0 ? -errno : fd;
  });
#else
  (void)dirfd;
  (void)rel;
  (void)flags;
  return -ENOSYS;
#endif
}

}  // namespace ovl::sys
