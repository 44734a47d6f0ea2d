// UnmetExpectation: comparisons only, no syscalls.
#include "sys/expectations.h"

#include <algorithm>
#include <sys/stat.h>
#include <tuple>

namespace ovl::sys {

namespace {

std::string At(size_t i, const char* what) { return "paths[" + std::to_string(i) + "]: " + what; }

bool HoldsNeedle(const std::string& options, const OptionsNeedle& n) {
  for (size_t at = options.find(n.text); at != std::string::npos; at = options.find(n.text, at + 1)) {
    size_t next = at + n.text.size();
    if (next >= options.size() || n.unless_next.find(options[next]) == std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string UnmetExpectation(const std::vector<std::string>& paths, const Examined& found, const Expectations& expect) {
  const std::vector<PathProbeResult>& probes = found.probes;
  if (probes.size() != paths.size()) return "probes: one per path";
  for (size_t i = 0; i < probes.size(); ++i) {
    const PathProbeResult& p = probes[i];
    if (p.err != 0) return At(i, "not examined");
    if (expect.file_type != 0 && (p.mode & S_IFMT) != expect.file_type) return At(i, "file type");
    if (expect.canonical && (!p.has_realpath || p.realpath != paths[i])) return At(i, "not canonical");
  }
  if (expect.distinct) {
    // A few paths per mount (500 layers at most): sort once instead of comparing every pair.
    std::vector<std::tuple<uint32_t, uint32_t, uint64_t, size_t>> ids;
    for (size_t i = 0; i < probes.size(); ++i) ids.emplace_back(probes[i].dev_major, probes[i].dev_minor, probes[i].ino, i);
    std::sort(ids.begin(), ids.end());
    for (size_t i = 1; i < ids.size(); ++i) {
      if (std::get<0>(ids[i]) == std::get<0>(ids[i - 1]) && std::get<1>(ids[i]) == std::get<1>(ids[i - 1]) &&
          std::get<2>(ids[i]) == std::get<2>(ids[i - 1])) {
        return At(std::get<3>(ids[i]), "same inode as another path");
      }
    }
  }
  for (const auto& [a, b] : expect.same_mount) {
    if (a >= probes.size() || b >= probes.size()) return "same mount: index out of range";
    if (probes[a].mount_id != probes[b].mount_id) return At(b, "not on the mount of its pair");
  }
  if (expect.listing_only) {
    if (!found.listed) return "listing: not made";
    const std::vector<std::string>& allowed = *expect.listing_only;
    for (const std::string& name : found.names) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return "listing: a name not expected";
    }
  }
  if (expect.options_exclude) {
    if (!found.mounts_asked || found.mounts_err != 0) return "mounts: not listed";
    for (const MountOfType& m : found.mounts) {
      if (m.options.empty()) return "mounts: options unknown";
      for (const OptionsNeedle& n : *expect.options_exclude) {
        if (HoldsNeedle(m.options, n)) return "mounts: options hold an excluded text";
      }
    }
  }
  return "";
}

}  // namespace ovl::sys
