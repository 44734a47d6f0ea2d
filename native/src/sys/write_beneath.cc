// WriteBeneath syscalls, per entry: openat2(rootfd, parent, O_PATH|O_DIRECTORY, RESOLVE_BENEATH|
// RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS) · [unlinkat / recursive removal of what stands at
// the name] · mkdirat | openat(O_CREAT|O_EXCL|O_NOFOLLOW) + pwrite | symlinkat | linkat (source
// parent opened the same way) | mknodat · openat(name, O_PATH|O_NOFOLLOW) · fchownat(AT_EMPTY_PATH)
// · chmod, setxattr, utimensat on /proc/self/fd/N (an O_PATH fd takes no f* calls; its magic
// link names exactly that inode). Symlinks: fchownat/utimensat(parent, name, AT_SYMLINK_NOFOLLOW).
// Every fd is closed on every path.
#include "sys/write_beneath.h"

#include "sys/beneath.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace ovl::sys {

namespace {

// Where an error came from, for the caller's message.
struct Step {
  const char** syscall;
  int Fail(const char* name) {
    *syscall = name;
    return -errno;
  }
  int Fail(const char* name, int neg) {
    *syscall = name;
    return neg;
  }
};

void Split(const std::string& rel, std::string* parent, std::string* name) {
  size_t slash = rel.find_last_of('/');
  *parent = slash == std::string::npos ? "." : rel.substr(0, slash);
  *name = slash == std::string::npos ? rel : rel.substr(slash + 1);
}

bool BadName(const std::string& name) { return name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos; }

int RemoveChildren(int dirfd, Step& step);

// Removes whatever stands at dirfd/name (a whole tree for a dir). ENOENT is success.
int RemoveAt(int dirfd, const char* name, Step& step) {
  struct stat st;
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : step.Fail("fstatat");
  if (S_ISDIR(st.st_mode)) {
    Fd child(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (child.get() < 0) return step.Fail("openat");
    int r = RemoveChildren(child.get(), step);
    if (r < 0) return r;
    if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0) return step.Fail("unlinkat");
    return 0;
  }
  if (::unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) return step.Fail("unlinkat");
  return 0;
}

int RemoveChildren(int dirfd, Step& step) {
  int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return step.Fail("fcntl");
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return step.Fail("fdopendir");
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return step.Fail("getdents64", -err);
  for (const std::string& n : names) {
    int r = RemoveAt(dirfd, n.c_str(), step);
    if (r < 0) return r;
  }
  return 0;
}

// Owner, mode, xattrs, mtime of what `fd` (any kind of fd, O_PATH included) refers to.
// Owner first: chown clears setuid/setgid, so the mode must come after it.
int ApplyMeta(int fd, const WriteEntry& e, Step& step) {
  if (e.set_owner && ::fchownat(fd, "", e.uid, e.gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("fchownat");
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::chmod(proc.c_str(), e.mode & 07777) < 0) return step.Fail("chmod");
  for (const auto& [name, value] : e.xattrs) {
    if (::setxattr(proc.c_str(), name.c_str(), value.data(), value.size(), 0) < 0) return step.Fail("setxattr");
  }
  if (e.set_times) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {e.mtime_sec, static_cast<long>(e.mtime_nsec)}};
    if (::utimensat(AT_FDCWD, proc.c_str(), times, 0) < 0) return step.Fail("utimensat");
  }
  return 0;
}

int MetaAt(int parent, const std::string& name, const WriteEntry& e, Step& step) {
  Fd fd(::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return step.Fail("openat");
  return ApplyMeta(fd.get(), e, step);
}

int WriteFile(int parent, const std::string& name, const WriteEntry& e, Step& step) {
  Fd fd(e.first ? ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)
                : ::openat(parent, name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return step.Fail("openat");
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return step.Fail("fstat");
  if (!S_ISREG(st.st_mode)) return step.Fail("openat", -EINVAL);  // only our own file is ever continued
  for (size_t done = 0; done < e.data.size();) {
    ssize_t n = ::pwrite(fd.get(), e.data.data() + done, e.data.size() - done, static_cast<off_t>(e.offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return step.Fail("pwrite");
    }
    done += static_cast<size_t>(n);
  }
  return e.last ? ApplyMeta(fd.get(), e, step) : 0;
}

int WriteOne(int rootfd, const WriteEntry& e, Step& step) {
  const bool self = e.rel == ".";
  if (e.kind == WriteKind::kEmpty || (self && (e.kind == WriteKind::kTimes || e.kind == WriteKind::kDir))) {
    Fd dir(OpenBeneath(rootfd, e.rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    if (dir.get() < 0) {
      // Nothing to empty where there is no dir: absent, not a dir, or behind a symlink (never followed).
      if (e.kind == WriteKind::kEmpty && (dir.get() == -ENOENT || dir.get() == -ENOTDIR || dir.get() == -ELOOP)) return 0;
      return step.Fail("openat2", dir.get());
    }
    if (e.kind == WriteKind::kEmpty) return RemoveChildren(dir.get(), step);
    if (e.kind == WriteKind::kDir) return ApplyMeta(dir.get(), e, step);
    struct timespec times[2] = {{0, UTIME_OMIT}, {e.mtime_sec, static_cast<long>(e.mtime_nsec)}};
    if (::futimens(dir.get(), times) < 0) return step.Fail("futimens");
    return 0;
  }
  std::string parent_rel, name;
  Split(e.rel, &parent_rel, &name);
  if (BadName(name)) return step.Fail("openat2", -EINVAL);
  Fd parent(OpenBeneath(rootfd, parent_rel.c_str(), O_PATH | O_DIRECTORY));
  // Removing from a dir that is not there — or not a dir but a symlink, which is never
  // followed: nothing is beneath it to remove.
  if (e.kind == WriteKind::kRemove && (parent.get() == -ENOENT || parent.get() == -ENOTDIR || parent.get() == -ELOOP)) return 0;
  if (parent.get() < 0) return step.Fail("openat2", parent.get());
  const int p = parent.get();
  switch (e.kind) {
    case WriteKind::kRemove:
      return RemoveAt(p, name.c_str(), step);
    case WriteKind::kTimes: {
      struct timespec times[2] = {{0, UTIME_OMIT}, {e.mtime_sec, static_cast<long>(e.mtime_nsec)}};
      if (::utimensat(p, name.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("utimensat");
      return 0;
    }
    case WriteKind::kDir: {
      if (::mkdirat(p, name.c_str(), 0700) < 0) {
        if (errno != EEXIST) return step.Fail("mkdirat");
        struct stat st;
        if (::fstatat(p, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("fstatat");
        if (!S_ISDIR(st.st_mode)) {
          int r = RemoveAt(p, name.c_str(), step);
          if (r < 0) return r;
          if (::mkdirat(p, name.c_str(), 0700) < 0) return step.Fail("mkdirat");
        }
      }
      return MetaAt(p, name, e, step);
    }
    case WriteKind::kFile: {
      if (e.first) {
        int r = RemoveAt(p, name.c_str(), step);
        if (r < 0) return r;
      }
      return WriteFile(p, name, e, step);
    }
    case WriteKind::kSymlink: {
      int r = RemoveAt(p, name.c_str(), step);
      if (r < 0) return r;
      if (::symlinkat(e.target.c_str(), p, name.c_str()) < 0) return step.Fail("symlinkat");
      if (e.set_owner && ::fchownat(p, name.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("fchownat");
      if (e.set_times) {
        struct timespec times[2] = {{0, UTIME_OMIT}, {e.mtime_sec, static_cast<long>(e.mtime_nsec)}};
        if (::utimensat(p, name.c_str(), times, AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("utimensat");
      }
      return 0;
    }
    case WriteKind::kHardlink: {
      std::string src_parent_rel, src_name;
      Split(e.target, &src_parent_rel, &src_name);
      if (BadName(src_name)) return step.Fail("openat2", -EINVAL);
      Fd src_parent(OpenBeneath(rootfd, src_parent_rel.c_str(), O_PATH | O_DIRECTORY));
      if (src_parent.get() < 0) return step.Fail("openat2", src_parent.get());
      struct stat src, here;
      if (::fstatat(src_parent.get(), src_name.c_str(), &src, AT_SYMLINK_NOFOLLOW) < 0) return step.Fail("fstatat");
      if (S_ISDIR(src.st_mode)) return step.Fail("linkat", -EPERM);
      // Linking a name to the file it already is: nothing to do (and removing it first would lose it).
      if (::fstatat(p, name.c_str(), &here, AT_SYMLINK_NOFOLLOW) == 0 && here.st_ino == src.st_ino && here.st_dev == src.st_dev) return 0;
      int r = RemoveAt(p, name.c_str(), step);
      if (r < 0) return r;
      if (::linkat(src_parent.get(), src_name.c_str(), p, name.c_str(), 0) < 0) return step.Fail("linkat");
      return 0;
    }
    case WriteKind::kUnsetXattrs: {
      Fd fd(::openat(p, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (fd.get() < 0) return step.Fail("openat");
      std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
      for (const auto& x : e.xattrs) {
        if (::removexattr(proc.c_str(), x.first.c_str()) < 0 && errno != ENODATA) return step.Fail("removexattr");
      }
      return 0;
    }
    case WriteKind::kCharDev:
    case WriteKind::kBlockDev:
    case WriteKind::kFifo: {
      int r = RemoveAt(p, name.c_str(), step);
      if (r < 0) return r;
      mode_t type = e.kind == WriteKind::kCharDev ? S_IFCHR : e.kind == WriteKind::kBlockDev ? S_IFBLK : S_IFIFO;
      if (::mknodat(p, name.c_str(), type | 0600, makedev(e.dev_major, e.dev_minor)) < 0) return step.Fail("mknodat");
      return MetaAt(p, name, e, step);
    }
    default:
      return step.Fail("openat2", -EINVAL);
  }
}

}  // namespace

int WriteBeneath(const char* root, const std::vector<WriteEntry>& entries, size_t* failed, const char** syscall) {
  Step step{syscall};
  Fd rootfd(::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0) {
    *failed = 0;
    return step.Fail("open");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    int r = WriteOne(rootfd.get(), entries[i], step);
    if (r < 0) {
      *failed = i;
      return r;
    }
  }
  return 0;
}

}  // namespace ovl::sys
