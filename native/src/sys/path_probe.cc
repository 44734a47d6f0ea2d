// ProbePath syscalls, in order: statx(path, follow symlinks, TYPE|MODE|INO|MNT_ID),
// statx(path, follow symlinks, MNT_ID_UNIQUE), statx(path, AT_SYMLINK_NOFOLLOW, TYPE),
// [realpath(3): a series of readlink/lstat].
// OpenPath: openat2(O_PATH, RESOLVE_NO_SYMLINKS) or, when a symlink is in the way, open(O_PATH)
// · statx(fd, AT_EMPTY_PATH) · [readlink(/proc/self/fd/N) after a symlink]; the fd is closed
// again if a later step fails.
// ListDir: opendir(3) (open + fstat), readdir(3) (getdents64) until done or `max`, closedir.
// ListDirAt: openat(fd, ".") on an fd OpenPath gave (the dir listed is the dir that was
// examined), getdents64 until done or `max`, close.
// Undone on failure: the directory stream is closed; probes change nothing.
#include "sys/path_probe.h"
#include "sys/statx_compat.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ovl::sys {

namespace {


constexpr unsigned kProbeMask = STATX_TYPE | STATX_MODE | STATX_INO | STATX_MNT_ID;

void Describe(const struct statx& stx, PathProbeResult* out) {
  out->mode = stx.stx_mode;
  out->dev_major = stx.stx_dev_major;
  out->dev_minor = stx.stx_dev_minor;
  out->ino = stx.stx_ino;
  out->mount_id = stx.stx_mnt_id;
}

bool IsDotOrDotDot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

}  // namespace

void ProbePath(const char* path, bool with_realpath, PathProbeResult* out) {
  struct statx stx;
  if (::statx(AT_FDCWD, path, AT_STATX_SYNC_AS_STAT,
              kProbeMask, &stx) < 0) {
    out->err = errno;
    return;
  }
  Describe(stx, out);

  // The mountinfo id above is reused as soon as its mount is gone; the unique one (6.8+)
  // never is, so it tells "the mount I made" from "a mount made there since". A kernel
  // without it answers STATX_MNT_ID instead, and the field stays 0.
  struct statx uniq;
  if (::statx(AT_FDCWD, path, AT_STATX_SYNC_AS_STAT, STATX_MNT_ID_UNIQUE, &uniq) == 0 &&
      (uniq.stx_mask & STATX_MNT_ID_UNIQUE)) {
    out->unique_mount_id = uniq.stx_mnt_id;
  }

  // Only the type is asked for, so filesystems that compute attributes lazily do no work.
  struct statx link;
  if (::statx(AT_FDCWD, path, AT_STATX_SYNC_AS_STAT | AT_SYMLINK_NOFOLLOW, STATX_TYPE,
              &link) < 0) {
    out->err = errno;  // the path changed under us between the two calls
    return;
  }
  out->is_symlink = S_ISLNK(link.stx_mode);
  out->symlink_known = true;

  if (!with_realpath) return;
  char* resolved = ::realpath(path, nullptr);
  if (resolved == nullptr) {
    out->err = errno;
    return;
  }
  out->realpath.assign(resolved);
  out->has_realpath = true;
  std::free(resolved);
}

void ProbePaths(const std::vector<std::string>& paths, bool with_realpath,
                std::vector<PathProbeResult>* out) {
  out->assign(paths.size(), PathProbeResult{});
  for (size_t i = 0; i < paths.size(); ++i) ProbePath(paths[i].c_str(), with_realpath, &(*out)[i]);
}

namespace {

// open(O_PATH) that refuses to pass through any symlink (openat2 RESOLVE_NO_SYMLINKS,
// Linux 5.6): when it succeeds, an absolute path without "." or ".." is already
// canonical, and the readlink of /proc/self/fd/N (3 µs, procfs) can be skipped.
int OpenNoSymlinks(const char* path) {
#ifdef SYS_openat2
  struct {
    uint64_t flags, mode, resolve;
  } how = {O_PATH | O_CLOEXEC, 0, 0x04 /* RESOLVE_NO_SYMLINKS */};
  return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how));
#else
  (void)path;
  errno = ENOSYS;
  return -1;
#endif
}

bool IsPlainAbsolute(const char* path) {
  if (path[0] != '/') return false;
  for (const char* p = path; *p != '\0'; ++p) {
    if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0')))) return false;
    if (p[0] == '/' && p[1] == '/') return false;
  }
  return true;
}

}  // namespace

void OpenPath(const char* path, PathProbeResult* out) {
  bool canonical = IsPlainAbsolute(path);
  int fd = canonical ? OpenNoSymlinks(path) : -1;
  if (fd < 0) {
    canonical = false;
    fd = ::open(path, O_PATH | O_CLOEXEC);
  }
  if (fd < 0) {
    out->err = errno;
    return;
  }
  struct statx stx;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
              kProbeMask, &stx) < 0) {
    out->err = errno;
    ::close(fd);
    return;
  }
  Describe(stx, out);

  if (canonical) {
    size_t len = std::strlen(path);
    while (len > 1 && path[len - 1] == '/') --len;  // "/a/b/" names the same dir as "/a/b"
    out->realpath.assign(path, len);
  } else {
    char link[32];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    char resolved[PATH_MAX + 1];
    ssize_t n = ::readlink(link, resolved, PATH_MAX);
    if (n < 0) {
      out->err = errno;
      ::close(fd);
      return;
    }
    out->realpath.assign(resolved, static_cast<size_t>(n));
  }
  out->has_realpath = true;
  out->fd = fd;
}

void OpenPaths(const std::vector<std::string>& paths, std::vector<PathProbeResult>* out) {
  out->assign(paths.size(), PathProbeResult{});
  for (size_t i = 0; i < paths.size(); ++i) OpenPath(paths[i].c_str(), &(*out)[i]);
}

int ListDir(const char* path, uint64_t max, std::vector<std::string>* names,
            const char** syscall) {
  DIR* dir = ::opendir(path);
  if (dir == nullptr) {
    *syscall = "opendir";
    return -errno;
  }
  int rc = 0;
  while (names->size() < max) {
    // readdir returns NULL both at the end and on error; only errno tells them apart.
    errno = 0;
    struct dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) {
        *syscall = "readdir";
        rc = -errno;
      }
      break;
    }
    if (IsDotOrDotDot(entry->d_name)) continue;
    names->emplace_back(entry->d_name);
  }
  ::closedir(dir);
  return rc;
}

int ListDirAt(int dir_fd, uint64_t max, std::vector<std::string>* names, const char** syscall) {
  *syscall = "openat";
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  // getdents64 straight into a stack buffer: opendir(3) would add an fstat, an fcntl and a
  // 32 KiB allocation to a listing that is usually one short read and the end.
  alignas(8) char buf[4096];
  int rc = 0;
  while (names->size() < max) {
    long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      *syscall = "getdents64";
      rc = -errno;
      break;
    }
    if (n == 0) break;
    for (long off = 0; off < n && names->size() < max;) {
      // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
      unsigned short reclen;
      std::memcpy(&reclen, buf + off + 16, sizeof reclen);
      const char* name = buf + off + 19;
      if (!IsDotOrDotDot(name)) names->emplace_back(name);
      off += reclen;
    }
  }
  ::close(fd);
  return rc;
}

}  // namespace ovl::sys
