// ReadBeneath syscalls, in order: open(root, O_PATH|O_DIRECTORY) · openat2(rootfd, rel,
// O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_NOATIME, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|
// RESOLVE_NO_MAGICLINKS; every read-only open here is retried without O_NOATIME if that is
// refused, see OpenLeavingAtime) · fstat · [pread until `length` or EOF when a regular file].
// With `link`: openat2 of the parent (O_PATH|O_DIRECTORY, same resolve flags) · fstatat
// (AT_SYMLINK_NOFOLLOW) · readlinkat. StatBeneath: openat2(O_PATH|O_NOFOLLOW, same flags) ·
// fstat · [listxattr + getxattr each, on /proc/self/fd/N, for files and dirs].
// ReadManyBeneath, per entry: openat2 (as ReadBeneath) · fstat · [read to EOF when a regular
// file: one read when it is the size fstat said] · close.
// Every fd is closed on every path; nothing is changed.
#include "sys/read_beneath.h"

#include "sys/beneath.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ovl::sys {

namespace {

// Most reads are a preview: a few KiB. Cap what one call may read (the caller asks in ranges).
constexpr uint64_t kMaxRead = 64ull << 20;

void Describe(const struct stat& st, BeneathRead* out) {
  out->mode = st.st_mode;
  out->ino = st.st_ino;
  out->size = static_cast<uint64_t>(st.st_size);
}

}  // namespace

int ReadBeneath(const char* root, const char* rel, uint64_t offset, uint64_t length, bool link, BeneathRead* out) {
  Fd rootfd(::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0) return -errno;
  if (link) {
    std::string path(rel);
    size_t slash = path.find_last_of('/');
    std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "." : path.substr(0, slash));
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    Fd dir(OpenBeneath(rootfd.get(), parent.c_str(), O_PATH | O_DIRECTORY));
    if (dir.get() < 0) return dir.get();
    struct stat st;
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
    Describe(st, out);
    if (!S_ISLNK(st.st_mode)) return 0;  // the caller sees the mode: not what it expected
    out->link.resize(4096);
    ssize_t n = ::readlinkat(dir.get(), name.c_str(), out->link.data(), out->link.size());
    if (n < 0) return -errno;
    out->link.resize(static_cast<size_t>(n));
    return 0;
  }
  Fd fd(OpenBeneath(rootfd.get(), rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return fd.get();
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return -errno;
  Describe(st, out);
  if (!S_ISREG(st.st_mode)) return 0;  // a FIFO, a device, a dir: never read
  uint64_t want = length < kMaxRead ? length : kMaxRead;
  out->data.resize(want);
  uint64_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd.get(), out->data.data() + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break;
    got += static_cast<uint64_t>(n);
  }
  out->data.resize(got);
  return 0;
}

namespace {

// Stat fields and (files and dirs) every xattr of what `fd` refers to (any fd, O_PATH too).
int DescribeFd(int fd, BeneathStat* out) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return -errno;
  out->mode = st.st_mode;
  out->ino = st.st_ino;
  out->size = static_cast<uint64_t>(st.st_size);
  out->mtime_sec = st.st_mtim.tv_sec;
  out->mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  out->uid = st.st_uid;
  out->gid = st.st_gid;
  out->rdev_major = major(st.st_rdev);
  out->rdev_minor = minor(st.st_rdev);
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return 0;
  // An O_PATH fd takes no f*xattr calls; its /proc/self/fd link names exactly that inode.
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  std::string names(1024, '\0');
  ssize_t n;
  while ((n = ::listxattr(proc.c_str(), names.data(), names.size())) < 0 && errno == ERANGE) names.resize(names.size() * 4);
  if (n < 0) return errno == ENOTSUP ? 0 : -errno;
  for (size_t at = 0; at < static_cast<size_t>(n);) {
    std::string name(names.data() + at);
    at += name.size() + 1;
    std::string value(256, '\0');
    ssize_t v;
    while ((v = ::getxattr(proc.c_str(), name.c_str(), value.data(), value.size())) < 0 && errno == ERANGE) value.resize(value.size() * 4);
    if (v < 0) continue;  // removed between list and get
    value.resize(static_cast<size_t>(v));
    out->xattrs.emplace_back(std::move(name), std::move(value));
  }
  return 0;
}

// The inode `fd` (O_PATH) refers to, opened read-only through /proc/self/fd/N (so it is that
// same inode, whatever its name is now): the fd, or -errno.
int ReopenToRead(int fd) {
  return OpenToRead(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY);
}

// The whole content of the regular file `fd` (O_PATH) refers to, up to `size` bytes (ReopenToRead).
int ReadWhole(int fd, uint64_t size, std::string* out) {
  Fd file(ReopenToRead(fd));
  if (file.get() < 0) return file.get();
  out->resize(size);
  uint64_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(file.get(), out->data() + got, size - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) break;
    got += static_cast<uint64_t>(n);
  }
  out->resize(got);
  return 0;
}

}  // namespace

int StatBeneath(const char* root, const char* rel, BeneathStat* out) {
  Fd rootfd(::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0) return -errno;
  // "." is the root itself; anything else is opened beneath it.
  const bool self = rel[0] == '\0' || (rel[0] == '.' && rel[1] == '\0');
  Fd opened(self ? -1 : OpenBeneath(rootfd.get(), rel, O_PATH | O_NOFOLLOW));
  if (!self && opened.get() < 0) return opened.get();
  return DescribeFd(self ? rootfd.get() : opened.get(), out);
}

int StatManyBeneath(const char* root, const std::vector<std::string>& rels, uint64_t inline_max, std::vector<BeneathEntry>* out) {
  Fd rootfd(::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0) return -errno;
  out->resize(rels.size());
  for (size_t i = 0; i < rels.size(); ++i) {
    BeneathEntry& e = (*out)[i];
    Fd fd(OpenBeneath(rootfd.get(), rels[i].c_str(), O_PATH | O_NOFOLLOW));
    int r = fd.get() < 0 ? fd.get() : DescribeFd(fd.get(), &e.st);
    // Inline at most kMaxRead, as readBeneath: a file can claim any size (sparse, /proc), and
    // allocating a terabyte throws std::bad_alloc, which ends the process.
    if (r == 0 && S_ISREG(e.st.mode) && e.st.size <= inline_max && e.st.size <= kMaxRead) {
      r = ReadWhole(fd.get(), e.st.size, &e.data);
      e.has_data = r == 0;
    } else if (r == 0 && S_ISLNK(e.st.mode)) {
      e.data.resize(4096);
      ssize_t n = ::readlinkat(fd.get(), "", e.data.data(), e.data.size());
      if (n < 0) r = -errno;
      else {
        e.data.resize(static_cast<size_t>(n));
        e.has_data = true;
      }
    }
    e.err = r < 0 ? -r : 0;
  }
  return 0;
}

namespace {

constexpr uint64_t kMaxReserve = 8ull << 20;

// Appends the regular file `fd` (`size` as fstat saw it) to `data`, to EOF; -EFBIG (and
// `data` as it was) when that is more than `max` bytes. A regular file's short read is
// its EOF, so a file that did not change costs one read.
int AppendWhole(int fd, uint64_t size, uint64_t max, std::string* data) {
  // A file that says it is bigger is not read at all (/proc/kcore says 128 TiB).
  if (size > max) return -EFBIG;
  const size_t start = data->size();
  // One byte more than fstat said, so a file that grew shows it.
  uint64_t room = size + 1;
  uint64_t got = 0;
  data->resize(start + room);
  for (;;) {
    ssize_t n = ::read(fd, data->data() + start + got, room - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      data->resize(start);
      return -errno;
    }
    got += static_cast<uint64_t>(n);
    if (got > max) {
      data->resize(start);
      return -EFBIG;
    }
    if (got < room) break;  // short read: EOF
    room = room * 2 < max + 1 ? room * 2 : max + 1;
    data->resize(start + room);
  }
  data->resize(start + got);
  return 0;
}

}  // namespace

namespace {

void KeyOf(const struct stat& st, uint64_t* key) {
  key[0] = st.st_dev;
  key[1] = st.st_ino;
  key[2] = static_cast<uint64_t>(st.st_size);
  key[3] = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec);
  key[4] = static_cast<uint64_t>(st.st_ctim.tv_sec) * 1000000000ull + static_cast<uint64_t>(st.st_ctim.tv_nsec);
}

bool SameKey(const uint64_t* a, const uint64_t* b) {
  for (size_t f = 0; f < kKeyFields; ++f)
    if (a[f] != b[f]) return false;
  return true;
}

// A key taken at `taken_at_ms` (wall clock, before the call that took it) proves the file
// unchanged since only when its ctime is well before then: inode timestamps are taken from
// the kernel's coarse clock (one tick, at most 10 ms, behind), so a write in the same tick as
// the fstat that took the key would leave the key as it was. 100 ms is ten ticks at HZ=100.
// A ctime on a whole second is taken as from a file system that keeps seconds only (ext4
// with 128-byte inodes, FAT keeps 2): there, two seconds.
bool Trusted(const struct stat& st, int64_t taken_at_ms) {
  const int64_t ctime_ms = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000 + st.st_ctim.tv_nsec / 1000000;
  const int64_t margin_ms = st.st_ctim.tv_nsec == 0 ? 2000 : 100;
  return ctime_ms + margin_ms < taken_at_ms;
}

bool KeyKnown(const uint64_t* known) {
  for (size_t f = 0; f < kKeyFields; ++f)
    if (known[f] != 0) return true;
  return false;
}

}  // namespace

int ReadManyBeneath(const char* root, const std::vector<std::string>& rels, uint64_t max_each, ManyRead* out, const uint64_t* known,
                    int64_t taken_at_ms) {
  Fd rootfd(::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (rootfd.get() < 0) return -errno;
  if (max_each > kMaxRead) max_each = kMaxRead;
  const size_t n = rels.size();
  out->ends.resize(n);
  out->modes.assign(n, 0);
  out->errs.assign(n, 0);
  out->keys.assign(n * kKeyFields, 0);
  out->same.assign(n, 0);
  bool reserved = false;
  for (size_t i = 0; i < n; ++i) {
    uint64_t* key = out->keys.data() + i * kKeyFields;
    const bool check = known != nullptr && KeyKnown(known + i * kKeyFields);
    Fd fd(OpenBeneath(rootfd.get(), rels[i].c_str(), check ? O_PATH | O_NOFOLLOW : O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    int r = fd.get();
    struct stat st;
    if (r >= 0) r = ::fstat(fd.get(), &st) < 0 ? -errno : 0;
    // O_PATH | O_NOFOLLOW opens a symlink at the end rather than failing: refused as without `known`.
    if (r == 0 && check && S_ISLNK(st.st_mode)) r = -ELOOP;
    if (r == 0 && S_ISREG(st.st_mode)) KeyOf(st, key);
    if (r == 0 && check && S_ISREG(st.st_mode) && SameKey(key, known + i * kKeyFields) && Trusted(st, taken_at_ms)) {
      out->modes[i] = st.st_mode;
      out->same[i] = 1;
      out->ends[i] = out->data.size();
      continue;
    }
    // Changed: the inode just stat'ed is read, opened for reading through its O_PATH fd.
    const bool reopen = r == 0 && check && S_ISREG(st.st_mode);
    Fd reopened(reopen ? ReopenToRead(fd.get()) : -1);
    if (reopen && reopened.get() < 0) r = reopened.get();
    const int readfd = reopen ? reopened.get() : fd.get();
    if (r == 0) {
      // Room for the rest at about this file's size, so that the buffer is not copied as it
      // grows (300 configs read 15% faster); never more than kMaxReserve up front, whatever a
      // file claims.
      if (!reserved && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= max_each) {
        reserved = true;
        const uint64_t guess = (static_cast<uint64_t>(st.st_size) + 1) * (n - i) * 5 / 4;
        out->data.reserve(guess < kMaxReserve ? guess : kMaxReserve);
      }
      out->modes[i] = st.st_mode;
      const uint64_t left = kMaxManyTotal - out->data.size();
      if (S_ISREG(st.st_mode)) r = AppendWhole(readfd, static_cast<uint64_t>(st.st_size), max_each < left ? max_each : left, &out->data);
    }
    if (r < 0) {
      out->modes[i] = 0;
      out->errs[i] = -r;
      for (size_t f = 0; f < kKeyFields; ++f) key[f] = 0;
    }
    out->ends[i] = out->data.size();
  }
  return 0;
}

}  // namespace ovl::sys
