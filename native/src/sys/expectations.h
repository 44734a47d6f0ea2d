// Plain-data expectations about what Examine found, and the comparison that says whether
// they hold. Generic on purpose (file types, identities, mount ids, names, substrings): the
// caller decides what to expect, this only compares (the addon has no policy). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sys/examine.h"

namespace ovl::sys {

// A substring no listed mount's options may hold. An occurrence followed by one of the bytes
// of `unless_next` does not count ("upperdir=" unless followed by '/').
struct OptionsNeedle {
  std::string text;
  std::string unless_next;
};

struct Expectations {
  // Every path was opened (errno 0): always expected.
  // S_IFMT bits every path must have (e.g. S_IFDIR); 0: any type.
  uint32_t file_type = 0;
  // Each path's canonical path (what the kernel resolved) is the path as given, byte for byte.
  bool canonical = false;
  // No two paths are one inode (device and inode number).
  bool distinct = false;
  // Pairs of path indices that must be on one mount (STATX_MNT_ID).
  std::vector<std::pair<uint32_t, uint32_t>> same_mount;
  // When set: the listing was made and holds only these names.
  std::optional<std::vector<std::string>> listing_only;
  // When set: the mounts were listed, each with its options, and none holds a needle.
  std::optional<std::vector<OptionsNeedle>> options_exclude;
};

// "" when every expectation holds; otherwise the first that does not, in a few words naming
// the path index ("paths[2]: file type"), for the caller's records and tests.
std::string UnmetExpectation(const std::vector<std::string>& paths, const Examined& found, const Expectations& expect);

}  // namespace ovl::sys
