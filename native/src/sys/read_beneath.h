// Reading a file of a layer dir that untrusted processes may change while we read it as
// root: resolved beneath the layer root with no symlinks anywhere, opened without blocking
// (a FIFO swapped in cannot hang the thread), checked with fstat before a byte is read.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ovl::sys {

struct BeneathRead {
  // What was opened (fstat of the fd): the caller compares it with what it expected.
  uint32_t mode = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  // The bytes read (only when the opened file is a regular file; empty otherwise).
  std::string data;
  // For a symlink asked for with `link`: its target.
  std::string link;
};

// Opens `rel` beneath the dir `root` (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS, O_NOFOLLOW | O_NONBLOCK | O_NOCTTY) and reads up to `length` bytes
// at `offset` when it is a regular file. With `link`, `rel` names a symlink: its parent is
// resolved that way and the link read with readlinkat. Returns 0 or -errno (ELOOP: a symlink
// in the way; EXDEV: the path leaves the root; ENOSYS: no openat2 on this kernel).
int ReadBeneath(const char* root, const char* rel, uint64_t offset, uint64_t length, bool link, BeneathRead* out);

// What an entry of a layer is, looked at the same safe way: `rel` opened beneath `root`
// (O_PATH | O_NOFOLLOW, no symlinks on the way), fstat'ed, and for a regular file or a dir
// every xattr read through the fd (/proc/self/fd/N). Returns 0 or -errno (ELOOP, EXDEV, ENOENT).
struct BeneathStat {
  uint32_t mode = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  int64_t mtime_sec = 0;
  uint32_t mtime_nsec = 0;
  uint32_t uid = 0, gid = 0, rdev_major = 0, rdev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};
int StatBeneath(const char* root, const char* rel, BeneathStat* out);

// StatBeneath for many entries of one root in one call, and for each regular file of at most
// `inline_max` bytes its content (reopened O_RDONLY|O_NONBLOCK through the O_PATH fd, so what
// is read is exactly what was stat'ed), and for each symlink its target. `err` is per entry.
struct BeneathEntry {
  int err = 0;  // positive errno, 0 = described
  BeneathStat st;
  bool has_data = false;
  std::string data;  // file content, or a symlink's target
};
int StatManyBeneath(const char* root, const std::vector<std::string>& rels, uint64_t inline_max, std::vector<BeneathEntry>* out);

// The whole content of many small regular files of one root, in one call and one buffer: an
// engine's metadata files (a listing reads two per container). Each `rels[i]` is opened as
// ReadBeneath opens (beneath root, no symlinks anywhere, O_NOFOLLOW | O_NONBLOCK), fstat'ed,
// and read to EOF only when it is a regular file. Entry i's bytes are data[ends[i-1], ends[i])
// (ends[-1] = 0); modes[i] is its st_mode (0 when it failed); errs[i] a positive errno or 0:
// ENOENT, ELOOP (a symlink on the way or at the end), EXDEV, ... and EFBIG for a file over
// `max_each` bytes (nothing of it is kept). Nothing else is read: a FIFO, a device or a dir
// gives its mode and no bytes. The buffer never grows past kMaxManyTotal: later entries get EFBIG.
//
// With `known` (kKeyFields uint64 per entry: dev, ino, size, mtime ns, ctime ns, as a former
// call gave them in `keys`, that call started at `taken_at_ms`, wall clock): each entry is
// first opened O_PATH and fstat'ed, and one whose key is what `known` says, and whose ctime is
// well before `taken_at_ms` (100 ms; 2 s on a file system keeping whole seconds), is not read:
// its `same` is 1, no bytes. The file is then the very inode read before, unchanged since: any
// write or rename moves ctime past the time the key was taken (timestamps are taken at a
// coarse tick: a write within the tick of the fstat would otherwise not show). Any other entry is read as
// without `known`, through the same fd (reopened by /proc/self/fd/N: the inode stat'ed).
// `keys` is filled for every regular file opened (zeros otherwise).
struct ManyRead {
  std::string data;
  std::vector<uint64_t> ends;
  std::vector<uint32_t> modes;
  std::vector<int32_t> errs;
  std::vector<uint64_t> keys;
  std::vector<uint8_t> same;
};
constexpr uint64_t kMaxManyTotal = 256ull << 20;
constexpr size_t kKeyFields = 5;
int ReadManyBeneath(const char* root, const std::vector<std::string>& rels, uint64_t max_each, ManyRead* out,
                    const uint64_t* known = nullptr, int64_t taken_at_ms = 0);

}  // namespace ovl::sys
