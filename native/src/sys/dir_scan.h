// One directory read in one call: every entry's lstat fields and its overlay xattrs, packed
// as struct-of-arrays so the JS side can hand them over as typed arrays without building an
// object per entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ovl::sys {

// DirScan.flags bits (exported to JS as the SCAN_* constants).
enum ScanFlag : uint8_t {
  kScanWhiteoutChardev = 1,  // character device 0/0
  kScanXattrWhiteout = 2,    // regular file of size 0 carrying <prefix>whiteout
  kScanOpaque = 4,           // <prefix>opaque is exactly "y"
  kScanOpaqueX = 8,          // <prefix>opaque is exactly "x"
  kScanRedirect = 16,        // <prefix>redirect present (value in DirScanResult::redirects)
  kScanMetacopy = 32,        // <prefix>metacopy present
  kScanHasXattrs = 64,       // llistxattr returned a non-empty list
  kScanFull = 128,           // examined in full (statx, and xattrs for dirs and regular files)
};

struct DirScanOptions {
  std::string xattr_prefix;  // "trusted.overlay." or "user.overlay."
  bool xattrs = true;        // read xattrs of directories and regular files
  bool readlinks = false;    // readlinkat every symlink
  // statx every entry (default). When false, only directories, character devices and entries
  // of unknown type are examined; the others get the type getdents64 reported (mode holds the
  // S_IFMT bits only, every other column 0, no xattrs): what a diff of names and types needs,
  // at getdents64 cost.
  bool stat_all = true;
  // Entries in byte order of their names (strcmp) instead of inode order: what merging the
  // listings of several layers needs. Examination then runs in name order too, so this is
  // meant for light reads (stat_all false), where almost nothing is examined.
  bool sorted = false;
  // Every xattr (name and value, overlay's own too) of directories and regular files, in
  // DirScanResult::all_xattrs: what a layer export writes as PAX records, read in the same
  // pass as the stat (needs `xattrs`).
  bool all_xattrs = false;
  // When set, `path` is relative to this dir and opened beneath it with no symlink on the way
  // (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a layer that changes while it is read
  // cannot lead the scan out of it. Only ScanDir honours it.
  std::string beneath_root;
};

struct DirScanResult {
  uint32_t count = 0;
  // Names back to back, each ending in NUL; entry i is names[name_offsets[i] ..
  // name_offsets[i + 1] - 1) (name_offsets has count + 1 elements).
  std::string names;
  std::vector<uint32_t> name_offsets;
  std::vector<uint32_t> mode, mtime_ns, nlink, uid, gid, rdev_major, rdev_minor;
  std::vector<double> size, mtime_ms, mtime_sec, ino;
  std::vector<uint8_t> flags;
  // ScanNames only: for each entry, its index in the `names` argument (names that could not
  // be examined leave gaps).
  std::vector<uint32_t> request;
  // Sparse columns, (entry index, value), in index order.
  std::vector<std::pair<uint32_t, std::string>> redirects;
  std::vector<std::pair<uint32_t, std::string>> link_targets;
  // With opts.all_xattrs: (entry index, every xattr in listxattr order) for entries that have any.
  std::vector<std::pair<uint32_t, std::vector<std::pair<std::string, std::string>>>> all_xattrs;
  // Entries getdents64 listed that could not be examined (vanished before statx, or a
  // statx / listxattr / getxattr / readlinkat error other than "no xattrs here"): skipped.
  uint32_t errors = 0;
};

// Reads every name (getdents64), then examines each (statx without following symlinks; for
// directories and regular files when opts.xattrs, listxattr and the overlay values; readlink
// of symlinks when opts.readlinks). Entries come out in no promised order (inode order for
// big directories; name order with opts.sorted). Big directories are examined by a few threads; see dir_scan.cc.
// Returns 0, or -errno with *syscall set to "open" or "getdents64" (the whole call failed).
int ScanDir(const char* path, const DirScanOptions& opts, DirScanResult* out,
            const char** syscall);

// ScanDir of several directories, as the layer dirs of one merged directory, top first: with
// `cascade`, an entry is examined in full when no earlier directory of the list holds its
// name (the entry that decides the name), the others as opts says (light, with stat_all
// false). errs[i] is 0 or the errno (positive) of that directory, syscalls[i] the failing call.
void ScanDirList(const std::vector<std::string>& paths, const DirScanOptions& opts, bool cascade,
                 std::vector<DirScanResult>* out, std::vector<int>* errs,
                 std::vector<const char*>* syscalls);

// Examines only the given names inside `path`, exactly as ScanDir examines entries: what a
// lookup of a few names needs without reading a whole (possibly huge) directory. A name that
// does not exist there is left out and counted in `errors`; names holding '/' or that are
// empty, "." or ".." are left out the same way. Order follows `names`.
int ScanNames(const char* path, const std::vector<std::string>& names, const DirScanOptions& opts,
              DirScanResult* out, const char** syscall);

}  // namespace ovl::sys
